package dev.bertj.heads.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.head.EncoderBatch;
import dev.bertj.core.head.EncoderOutputs;
import dev.bertj.core.head.EncoderVars;
import dev.bertj.core.head.HeadBatch;
import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.HeadLoss;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.heads.translation.metrics.Bleu;
import dev.bertj.heads.translation.metrics.BleuScore;
import dev.bertj.heads.translation.metrics.ChrF;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The translation head: BERT's encoder reads the source sentence, a Transformer decoder ({@link TransformerDecoder})
 * writes the target sentence in its own WordPiece vocabulary ({@link TargetVocabulary}), attending to the encoder's
 * sequence output through cross-attention. Answers in Hugging Face's translation shape
 * {@code [{"translation_text": ...}]}; scores itself with corpus BLEU and chrF as sacreBLEU computes them.
 *
 * <p>The target vocabulary is learned from the target side of the training data, so a fresh head is complete
 * only once it has seen that text: through the {@code create} options ({@code target_vocab=PATH} to reuse a
 * vocabulary, or {@code train=PATH} / {@code source=PATH target=PATH} to learn one) or at its first
 * {@link #readExamples}. Until then {@link #parameters()} fails with a message saying so.
 */
public final class TranslationHead implements TaskHead<TranslationRequest, TranslationAnswer, ParallelExample> {

    /** Sentences decoded together (times the beam size in hypotheses). */
    static final int DECODE_BATCH = 32;
    static final int DEFAULT_NUM_BEAMS = 4;
    static final double DEFAULT_LENGTH_PENALTY = 1.0;

    private final HeadContext context;
    private final Map<String, String> options;
    private final String sourceLang;
    private final String targetLang;
    private final int requestedVocabSize;
    private final Rng dropoutRng;
    private GenerationOptions generation;
    private volatile TargetVocabulary target;
    private volatile TransformerDecoder decoder;
    private volatile SequenceGenerator generator;
    /** Where {@link #evaluate} writes its translations, one per line (option {@code predictions} of readExamples). */
    private volatile Path predictionsFile;
    /** Search settings given with the evaluation data ({@code num_beams}, {@code max_length}, ...), else null. */
    private volatile Map<String, String> evaluationSearch;

    private TranslationHead(HeadContext context, Map<String, String> options, String sourceLang, String targetLang,
                            int requestedVocabSize) {
        this.context = context;
        this.options = Map.copyOf(options);
        this.sourceLang = sourceLang;
        this.targetLang = targetLang;
        this.requestedVocabSize = requestedVocabSize;
        this.dropoutRng = context.rng().split();
    }

    /** A fresh head; see the class comment for when its target vocabulary and decoder come into being. */
    static TranslationHead fresh(HeadContext context, Map<String, String> options) {
        TranslationHead head = new TranslationHead(context, options, options.getOrDefault("source_lang", "en"),
                options.getOrDefault("target_lang", "de"),
                DecoderConfig.integer(options, "vocab_size", DecoderConfig.DEFAULT_VOCAB_SIZE));
        try {
            String vocab = options.get("target_vocab");
            if (vocab != null) {
                head.prepare(TargetVocabulary.read(Path.of(vocab)));
            } else if (options.containsKey("train") || options.containsKey("target")) {
                Path train = options.containsKey("train") ? Path.of(options.get("train")) : null;
                head.readExamples(train, options);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("translation head: cannot read the target text: " + e.getMessage(), e);
        }
        return head;
    }

    /** The head saved in {@code dir}: head.json, head.safetensors and the target vocabulary. */
    static TranslationHead load(HeadContext context, Path dir) throws IOException {
        ObjectNode config = HeadFiles.readConfig(dir, TranslationHeadFactory.DESCRIPTOR.id());
        JsonNode decoderJson = config.get("decoder");
        if (decoderJson == null) {
            throw new IOException(dir.resolve(HeadFiles.CONFIG) + ": no 'decoder' configuration");
        }
        DecoderConfig decoderConfig = DecoderConfig.fromJson(decoderJson);
        if (decoderConfig.encoderHiddenSize() != context.config().hiddenSize()) {
            throw new IOException(dir + ": this head was trained on an encoder of width "
                    + decoderConfig.encoderHiddenSize() + ", the model's encoder is " + context.config().hiddenSize());
        }
        Path vocabFile = dir.resolve(config.path("target_vocab").asText(TargetVocabulary.FILE));
        TargetVocabulary vocab = TargetVocabulary.read(vocabFile);
        if (vocab.size() != decoderConfig.vocabSize()) {
            throw new IOException(vocabFile + " has " + vocab.size() + " tokens, head.json says vocab_size "
                    + decoderConfig.vocabSize());
        }
        TranslationHead head = new TranslationHead(context, Map.of(), config.path("source_lang").asText("en"),
                config.path("target_lang").asText("de"), decoderConfig.vocabSize());
        JsonNode g = config.path("generation");
        head.install(vocab, TransformerDecoder.create(decoderConfig, context.rng()), new GenerationOptions(
                g.path("num_beams").asInt(DEFAULT_NUM_BEAMS),
                g.path("max_length").asInt(decoderConfig.maxPositions() + 1),
                g.path("length_penalty").asDouble(DEFAULT_LENGTH_PENALTY),
                g.path("early_stopping").asBoolean(false)));
        HeadFiles.loadParameters(dir, head.parameters());
        return head;
    }

    /** Builds the decoder for a target vocabulary: sizes from the creation options. */
    private synchronized void prepare(TargetVocabulary vocab) {
        if (decoder != null) {
            return;
        }
        DecoderConfig c = DecoderConfig.fromOptions(options, vocab.size(), context.config().hiddenSize());
        int maxLength = Math.min(DecoderConfig.integer(options, "max_length", c.maxPositions() + 1), c.maxPositions() + 1);
        install(vocab, TransformerDecoder.create(c, context.rng()), searchFrom(options,
                new GenerationOptions(DEFAULT_NUM_BEAMS, maxLength, DEFAULT_LENGTH_PENALTY, false)).withMaxLength(maxLength));
    }

    /** Search settings from options ({@code num_beams}, {@code max_length}, ...), the rest from {@code defaults}. */
    private static GenerationOptions searchFrom(Map<String, String> o, GenerationOptions defaults) {
        return new GenerationOptions(DecoderConfig.integer(o, "num_beams", defaults.numBeams()),
                DecoderConfig.integer(o, "max_length", defaults.maxLength()),
                DecoderConfig.dbl(o, "length_penalty", defaults.lengthPenalty()),
                Boolean.parseBoolean(o.getOrDefault("early_stopping", Boolean.toString(defaults.earlyStopping()))));
    }

    /** Source tokens an encoding may keep: {@code maxLength} if positive, never beyond the encoder's positions. */
    private int maxSourceLength(int maxLength) {
        int positions = context.config().maxPositionEmbeddings();
        return maxLength > 0 ? Math.min(maxLength, positions) : positions;
    }

    private void install(TargetVocabulary vocab, TransformerDecoder dec, GenerationOptions gen) {
        this.target = vocab;
        this.generation = gen;
        this.generator = new SequenceGenerator(dec, vocab.startId(), vocab.endId());
        this.decoder = dec;
    }

    private TransformerDecoder decoder() {
        TransformerDecoder d = decoder;
        if (d == null) {
            throw new IllegalStateException("the translation head has no target vocabulary yet: it is learned from the "
                    + "target side of the training data; read the training examples first (readExamples), or create "
                    + "the head with option train=PATH, source=PATH target=PATH, or target_vocab=PATH");
        }
        return d;
    }

    // ---- identity and state -----------------------------------------------------------------------------------

    @Override
    public HeadDescriptor descriptor() {
        return TranslationHeadFactory.DESCRIPTOR;
    }

    @Override
    public List<Parameter> parameters() {
        return decoder().parameters();
    }

    @Override
    public ObjectNode config() {
        DecoderConfig c = decoder().config();
        ObjectNode n = HeadFiles.json().createObjectNode();
        n.put("source_lang", sourceLang);
        n.put("target_lang", targetLang);
        n.put("target_vocab", TargetVocabulary.FILE);
        n.put("target_lowercase", false);
        n.put("target_strip_accents", false);
        n.put("decoder_start_token_id", target.startId());
        n.put("eos_token_id", target.endId());
        n.put("pad_token_id", target.padId());
        n.set("decoder", c.toJson());
        ObjectNode g = n.putObject("generation");
        g.put("num_beams", generation.numBeams());
        g.put("max_length", generation.maxLength());
        g.put("length_penalty", generation.lengthPenalty());
        g.put("early_stopping", generation.earlyStopping());
        return n;
    }

    /** Writes the target vocabulary, then head.safetensors and head.json (last: a head.json means a complete head). */
    @Override
    public void save(Path headDir) throws IOException {
        decoder();
        Files.createDirectories(headDir);
        target.write(headDir.resolve(TargetVocabulary.FILE));
        HeadFiles.save(this, headDir);
    }

    /** The head's default search (head.json {@code generation}). */
    public GenerationOptions generationOptions() {
        decoder();
        return generation;
    }

    // ---- inference --------------------------------------------------------------------------------------------

    @Override
    public TranslationAnswer predict(TranslationRequest request) {
        return predictBatch(List.of(request)).get(0);
    }

    /** Requests with the same search settings are decoded together. */
    @Override
    public List<TranslationAnswer> predictBatch(List<TranslationRequest> requests) {
        decoder();
        Map<GenerationOptions, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            groups.computeIfAbsent(optionsFor(requests.get(i)), k -> new ArrayList<>()).add(i);
        }
        TranslationAnswer[] answers = new TranslationAnswer[requests.size()];
        for (var group : groups.entrySet()) {
            List<String> texts = group.getValue().stream().map(i -> requests.get(i).inputs()).toList();
            List<String> out = translate(texts, group.getKey());
            for (int j = 0; j < out.size(); j++) {
                answers[group.getValue().get(j)] = TranslationAnswer.of(out.get(j));
            }
        }
        return List.of(answers);
    }

    private GenerationOptions optionsFor(TranslationRequest r) {
        GenerationOptions o = generation;
        if (r.numBeams() != null) {
            o = o.withNumBeams(r.numBeams());
        }
        if (r.maxLength() != null) {
            o = o.withMaxLength(r.maxLength());
        }
        return o;
    }

    /** Translates source texts with the given search; the output is in input order. */
    public List<String> translate(List<String> sources, GenerationOptions search) {
        TransformerDecoder dec = decoder();
        int maxSource = context.config().maxPositionEmbeddings();
        List<Encoding> encodings = new ArrayList<>(sources.size());
        for (String s : sources) {
            encodings.add(context.tokenizer().encode(s, null, EncodeOptions.truncate(maxSource)));
        }
        // Similar lengths together: less padding in the encoder and fewer steps wasted in the decoder.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> encodings.get(i).length()).reversed());
        String[] out = new String[sources.size()];
        int padId = context.tokenizer().vocabulary().padId();
        for (int from = 0; from < order.size(); from += DECODE_BATCH) {
            List<Integer> chunk = order.subList(from, Math.min(order.size(), from + DECODE_BATCH));
            EncoderBatch batch = EncoderBatch.pad(chunk.stream().map(encodings::get).toList(), padId);
            EncoderOutputs encoded = context.encoder().encode(batch);
            Tape tape = Tape.inference();
            INDArray memory = dec.memory(tape, tape.constant(encoded.sequenceOutput())).value();
            List<SequenceGenerator.Hypothesis> hyps = generator.generate(memory, batch.attentionMask(), search);
            for (int j = 0; j < chunk.size(); j++) {
                out[chunk.get(j)] = target.decode(hyps.get(j).tokens());
            }
        }
        return List.of(out);
    }

    // ---- training ---------------------------------------------------------------------------------------------

    /**
     * Parallel text: two aligned files (options {@code source}/{@code target}, or {@code file} as a prefix of
     * {@code file.<source_lang>} and {@code file.<target_lang>}) or a TSV file {@code source<TAB>target}. The first
     * call on a fresh head learns the target vocabulary from these targets.
     */
    @Override
    public List<ParallelExample> readExamples(Path file, Map<String, String> readOptions) throws IOException {
        List<ParallelExample> examples = ParallelCorpus.read(file, readOptions, sourceLang, targetLang);
        // What the latest read says about evaluation holds for the next evaluate (and nothing else does).
        predictionsFile = readOptions.containsKey("predictions") ? Path.of(readOptions.get("predictions")) : null;
        evaluationSearch = readOptions.keySet().stream().anyMatch(k -> k.equals("num_beams") || k.equals("max_length")
                || k.equals("length_penalty") || k.equals("early_stopping")) ? Map.copyOf(readOptions) : null;
        if (decoder == null) {
            if (examples.isEmpty()) {
                throw new IllegalArgumentException("no examples in " + file + " to learn the target vocabulary from");
            }
            prepare(TargetVocabulary.train(examples.stream().map(ParallelExample::target).toList(), requestedVocabSize));
        }
        return examples;
    }

    /** Decoder inputs ({@code [CLS] y1 .. yn}, padded) and labels ({@code y1 .. yn [SEP]}, -1 on padding), flattened. */
    record TargetBatch(int[][] decoderInputIds, int[] labels) {
    }

    @Override
    public HeadBatch<ParallelExample> encode(List<ParallelExample> examples, int maxLength) {
        TransformerDecoder dec = decoder();
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot encode an empty batch");
        }
        EncodeOptions sourceOptions = EncodeOptions.truncate(maxSourceLength(maxLength));
        int maxTarget = dec.config().maxPositions() - 1;
        List<Encoding> sources = new ArrayList<>();
        List<int[]> targets = new ArrayList<>();
        int longest = 0;
        for (ParallelExample e : examples) {
            sources.add(context.tokenizer().encode(e.source(), null, sourceOptions));
            int[] ids = target.encode(e.target());
            if (ids.length > maxTarget) {
                ids = java.util.Arrays.copyOf(ids, maxTarget);
            }
            targets.add(ids);
            longest = Math.max(longest, ids.length);
        }
        int len = longest + 1;
        int[][] inputs = new int[examples.size()][len];
        int[] labels = new int[examples.size() * len];
        java.util.Arrays.fill(labels, -1);
        for (int b = 0; b < examples.size(); b++) {
            int[] y = targets.get(b);
            java.util.Arrays.fill(inputs[b], target.padId());
            inputs[b][0] = target.startId();
            System.arraycopy(y, 0, inputs[b], 1, y.length);
            System.arraycopy(y, 0, labels, b * len, y.length);
            labels[b * len + y.length] = target.endId();
        }
        EncoderBatch input = EncoderBatch.pad(sources, context.tokenizer().vocabulary().padId());
        return new HeadBatch<>(input, examples, new TargetBatch(inputs, labels));
    }

    /**
     * The longer side of the pair in tokens (source with its special tokens, target with its start token), so that
     * {@code --bucket-by-length} batches pairs whose encoder and decoder passes both carry little padding.
     */
    @Override
    public int tokenLength(ParallelExample example, int maxLength) {
        TransformerDecoder dec = decoder();
        int source = context.tokenizer().encode(example.source(), null, EncodeOptions.truncate(maxSourceLength(maxLength)))
                .length();
        int targetLength = Math.min(target.encode(example.target()).length, dec.config().maxPositions() - 1) + 1;
        return Math.max(source, targetLength);
    }

    /**
     * Label-smoothed cross-entropy of the next target token at every real target position (teacher forcing).
     * The encoder's sequence output enters through {@code encoder}; when it requires a gradient, the
     * cross-attention keys and values (and the projection) send one back to it.
     */
    @Override
    public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<ParallelExample> batch) {
        TransformerDecoder dec = decoder();
        TargetBatch t = (TargetBatch) batch.targets();
        Var memory = dec.memory(tape, encoder.sequenceOutput());
        Var hidden = dec.hiddenStates(tape, memory, batch.input().attentionMask(), t.decoderInputIds(), dropoutRng);
        // Only labelled positions reach the vocabulary projection: padding costs nothing there.
        int labelled = 0;
        for (int y : t.labels()) {
            labelled += y >= 0 ? 1 : 0;
        }
        int[] rows = new int[labelled];
        int[] labels = new int[labelled];
        for (int i = 0, k = 0; i < t.labels().length; i++) {
            if (t.labels()[i] >= 0) {
                rows[k] = i;
                labels[k++] = t.labels()[i];
            }
        }
        Var logits = dec.lmHead(tape, tape.rows(hidden, rows));
        Var loss = tape.softmaxCrossEntropy(logits, labels, null, dec.config().labelSmoothing());
        return new HeadLoss(loss, Map.of("token_accuracy", accuracy(logits.value(), labels)));
    }

    private static double accuracy(INDArray logits, int[] labels) {
        if (labels.length == 0) {
            return 0;
        }
        INDArray argmax = logits.argMax(1);
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += argmax.getInt(i) == labels[i] ? 1 : 0;
        }
        return (double) right / labels.length;
    }

    /**
     * Translates every source with the head's default search and scores the outputs against the targets:
     * corpus BLEU (sacreBLEU default: 13a, exp smoothing) and chrF2, plus BLEU's brevity penalty and lengths.
     * Search options given to {@link #readExamples} ({@code num_beams}, {@code max_length}, {@code length_penalty},
     * {@code early_stopping}; e.g. {@code ./bert eval -o num_beams=1}) replace the head's defaults for the evaluation.
     * With the {@code predictions} option given to {@link #readExamples}, the translations are also written there,
     * one per line in input order (to score them with other tools, e.g. {@code sacrebleu REF < PREDICTIONS}).
     */
    @Override
    public Map<String, Double> evaluate(List<ParallelExample> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("cannot evaluate on no examples");
        }
        Map<String, String> o = evaluationSearch;
        GenerationOptions search = o == null ? generationOptions() : searchFrom(o, generationOptions());
        long start = System.nanoTime();
        List<String> hyps = translate(examples.stream().map(ParallelExample::source).toList(), search);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<String> refs = examples.stream().map(ParallelExample::target).toList();
        Path out = predictionsFile;
        if (out != null) {
            try {
                Files.write(out, hyps, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write the translations to " + out + ": " + e.getMessage(), e);
            }
        }
        BleuScore bleu = Bleu.sacreBleuDefault().score(hyps, refs);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("bleu", bleu.score());
        m.put("chrf", ChrF.sacreBleuDefault().score(hyps, refs));
        m.put("bleu_bp", bleu.bp());
        m.put("hyp_len", (double) bleu.sysLen());
        m.put("ref_len", (double) bleu.refLen());
        m.put("sentences", (double) examples.size());
        m.put("sentences_per_second", examples.size() / Math.max(seconds, 1e-9));
        m.put("num_beams", (double) search.numBeams());
        return m;
    }

    // ---- for tests and tools in this package ------------------------------------------------------------------

    TransformerDecoder transformerDecoder() {
        return decoder();
    }

    TargetVocabulary targetVocabulary() {
        decoder();
        return target;
    }

    SequenceGenerator generator() {
        decoder();
        return generator;
    }
}
