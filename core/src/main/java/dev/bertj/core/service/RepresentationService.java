package dev.bertj.core.service;

import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.model.EncoderOutput;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The representation service: texts (or text pairs) in, contextual vectors out. Token vectors with their
 * offsets, the [CLS] vector, the pooler output and masked-mean sentence vectors, optionally L2-normalised.
 * Batch calls group texts of similar length into encoder batches of at most {@link Options#maxBatch()}, so little
 * is spent on padding. Thread-safe: the tokenizer is immutable and the encoder serves concurrent callers.
 */
public final class RepresentationService {

    /**
     * @param maxBatch  sequences per encoder call
     * @param maxLength the longest input in tokens (special tokens included); 0 means the model's
     *                  max_position_embeddings
     * @param truncate  cut longer inputs to maxLength (longest text of a pair first) instead of rejecting them
     */
    public record Options(int maxBatch, int maxLength, boolean truncate) {
        public static final Options DEFAULT = new Options(32, 0, false);

        public Options {
            if (maxBatch <= 0) {
                throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
            }
            if (maxLength < 0) {
                throw new IllegalArgumentException("maxLength must be >= 0, got " + maxLength);
            }
        }

        public Options withTruncate(boolean value) {
            return new Options(maxBatch, maxLength, value);
        }

        public Options withMaxBatch(int value) {
            return new Options(value, maxLength, truncate);
        }

        public Options withMaxLength(int value) {
            return new Options(maxBatch, value, truncate);
        }
    }

    /** Two texts encoded together: {@code [CLS] first [SEP] second [SEP]}, segments 0 and 1. */
    public record TextPair(String first, String second) {
        public TextPair {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
        }
    }

    private final BertModel model;
    private final WordPieceTokenizer tokenizer;
    private final Options options;
    private final int maxLength;
    private final EncodeOptions encodeOptions;

    public RepresentationService(BertModel model, WordPieceTokenizer tokenizer, Options options) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.options = Objects.requireNonNull(options, "options");
        int limit = model.config().maxPositionEmbeddings();
        if (options.maxLength() > limit) {
            throw new IllegalArgumentException("maxLength " + options.maxLength() + " exceeds the model's "
                    + "max_position_embeddings " + limit);
        }
        this.maxLength = options.maxLength() == 0 ? limit : options.maxLength();
        this.encodeOptions = options.truncate() ? EncodeOptions.truncate(maxLength) : EncodeOptions.DEFAULT;
        if (tokenizer.vocabulary().size() > model.config().vocabSize()) {
            throw new IllegalArgumentException("the tokenizer's vocabulary (" + tokenizer.vocabulary().size()
                    + " tokens) is larger than the model's vocab_size " + model.config().vocabSize());
        }
    }

    public RepresentationService(BertModel model, WordPieceTokenizer tokenizer) {
        this(model, tokenizer, Options.DEFAULT);
    }

    public BertModel model() {
        return model;
    }

    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    public Options options() {
        return options;
    }

    /** Dimension of every vector. */
    public int dimension() {
        return model.config().hiddenSize();
    }

    public Representation encode(String text) {
        return encode(List.of(text)).get(0);
    }

    public Representation encode(TextPair pair) {
        return encodePairs(List.of(pair)).get(0);
    }

    /** One representation per text, in order. */
    public List<Representation> encode(List<String> texts) {
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (String t : texts) {
            encodings.add(tokenize(Objects.requireNonNull(t, "text"), null));
        }
        return run(encodings);
    }

    /** One representation per pair, in order. */
    public List<Representation> encodePairs(List<TextPair> pairs) {
        List<Encoding> encodings = new ArrayList<>(pairs.size());
        for (TextPair p : pairs) {
            encodings.add(tokenize(p.first(), p.second()));
        }
        return run(encodings);
    }

    /** The sentence vector of one text. */
    public float[] embed(String text, Pooling pooling, boolean normalize) {
        return encode(text).sentenceVector(pooling, normalize);
    }

    /** Sentence vectors, one per text, in order. */
    public List<float[]> embed(List<String> texts, Pooling pooling, boolean normalize) {
        return encode(texts).stream().map(r -> r.sentenceVector(pooling, normalize)).toList();
    }

    /** Sentence vectors of text pairs, one per pair, in order. */
    public List<float[]> embedPairs(List<TextPair> pairs, Pooling pooling, boolean normalize) {
        return encodePairs(pairs).stream().map(r -> r.sentenceVector(pooling, normalize)).toList();
    }

    private Encoding tokenize(String a, String b) {
        Encoding e = tokenizer.encode(a, b, encodeOptions);
        if (e.length() > maxLength) {
            throw new IllegalArgumentException("input of " + e.length() + " tokens is longer than " + maxLength
                    + (maxLength == model.config().maxPositionEmbeddings() ? " (the model's max_position_embeddings)" : "")
                    + ": shorten it or enable truncation");
        }
        return e;
    }

    private List<Representation> run(List<Encoding> encodings) {
        Representation[] out = new Representation[encodings.size()];
        Integer[] order = new Integer[encodings.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Similar lengths together: each encoder batch pads to its own longest sequence.
        Arrays.sort(order, Comparator.comparingInt(i -> encodings.get(i).length()));
        for (int from = 0; from < order.length; from += options.maxBatch()) {
            int to = Math.min(order.length, from + options.maxBatch());
            List<int[]> ids = new ArrayList<>();
            List<int[]> types = new ArrayList<>();
            for (int k = from; k < to; k++) {
                Encoding e = encodings.get(order[k]);
                ids.add(e.ids());
                types.add(e.typeIds());
            }
            EncoderOutput result = model.forward(EncoderInput.of(ids, types));
            for (int k = from; k < to; k++) {
                out[order[k]] = represent(encodings.get(order[k]), result, k - from);
            }
        }
        return Arrays.asList(out);
    }

    private Representation represent(Encoding e, EncoderOutput result, int b) {
        int n = e.length();
        float[][] vectors = new float[n][];
        for (int s = 0; s < n; s++) {
            vectors[s] = result.token(b, s);
        }
        return new Representation(e.tokens(), e.offsetStart(), e.offsetEnd(), e.sequenceIds(), vectors, result.cls(b),
                result.meanPooled(b), result.hasPooler() ? result.pooled(b) : null);
    }
}
