package dev.bertj.heads.mlm;

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
import dev.bertj.core.nn.modules.LayerNorm;
import dev.bertj.core.nn.modules.Linear;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's masked-LM prediction head ({@code BertLMPredictionHead}): the hidden state of each masked position goes
 * through a dense layer, GELU and LayerNorm (the "transform"), then a decoder tied to the word embeddings plus
 * an output bias gives one logit per vocabulary entry. Answers in Hugging Face's fill-mask shape.
 */
public final class MaskedLmHead implements TaskHead<FillMaskRequest, FillMaskAnswer, MaskedLmExample> {

    static final String PREFIX = "cls.predictions.";
    /** BERT's masking rate and split (create_pretraining_data.py): 15% of tokens; 80% [MASK], 10% random, 10% kept. */
    static final double MASK_RATE = 0.15;

    private final HeadContext context;
    private final Linear transform;
    private final LayerNorm transformNorm;
    private final Parameter outputBias;
    private final Parameter wordEmbeddings;
    private final Rng rng;

    MaskedLmHead(HeadContext context, Linear transform, LayerNorm transformNorm, Parameter outputBias) {
        this.context = context;
        this.transform = transform;
        this.transformNorm = transformNorm;
        this.outputBias = outputBias;
        this.wordEmbeddings = context.encoderParameter("embeddings.word_embeddings.weight").orElseThrow(
                () -> new IllegalStateException("the masked-LM decoder is tied to embeddings.word_embeddings.weight, "
                        + "which this encoder does not expose"));
        this.rng = context.rng();
    }

    /** Fresh parameters: dense N(0, initializer_range), LayerNorm (1, 0), bias 0. */
    static MaskedLmHead fresh(HeadContext context) {
        int h = context.config().hiddenSize();
        Linear dense = Linear.create(PREFIX + "transform.dense", h, h, true, context.config().initializerRange(), context.rng());
        LayerNorm norm = LayerNorm.create(PREFIX + "transform.LayerNorm", h, context.config().layerNormEps());
        Parameter bias = Parameter.of(PREFIX + "bias", Nd4j.zeros(DataType.FLOAT, context.config().vocabSize()));
        return new MaskedLmHead(context, dense, norm, bias);
    }

    @Override
    public HeadDescriptor descriptor() {
        return MaskedLmHeadFactory.DESCRIPTOR;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(transform.parameters());
        all.addAll(transformNorm.parameters());
        all.add(outputBias);
        return all;
    }

    @Override
    public ObjectNode config() {
        ObjectNode c = HeadFiles.json().createObjectNode();
        c.put("hidden_size", context.config().hiddenSize());
        c.put("vocab_size", context.config().vocabSize());
        c.put("tied_to", "embeddings.word_embeddings.weight");
        return c;
    }

    /** Vocabulary logits {@code [rows, vocab]} for the given hidden states {@code [rows, hidden]}. */
    Var logits(Tape tape, Var hidden) {
        Var h = transform.forward(tape, hidden);
        h = tape.gelu(h);
        h = transformNorm.forward(tape, h);
        Var decoded = tape.matmul(h, tape.param(wordEmbeddings), false, true);
        return tape.addRow(decoded, tape.param(outputBias));
    }

    // ---- inference ------------------------------------------------------------------------------------------

    @Override
    public FillMaskAnswer predict(FillMaskRequest request) {
        return predictBatch(List.of(request)).get(0);
    }

    @Override
    public List<FillMaskAnswer> predictBatch(List<FillMaskRequest> requests) {
        WordPieceTokenizer tokenizer = context.tokenizer();
        Vocabulary vocab = tokenizer.vocabulary();
        int maxLength = context.config().maxPositionEmbeddings();
        List<Encoding> encodings = new ArrayList<>();
        List<int[]> maskPositions = new ArrayList<>();
        for (FillMaskRequest r : requests) {
            Encoding e = tokenizer.encode(r.text());
            if (e.length() > maxLength) {
                throw new IllegalArgumentException("the text is " + e.length() + " tokens long; this model reads at most "
                        + maxLength);
            }
            int[] masks = positionsOf(e.ids(), vocab.maskId());
            if (masks.length == 0) {
                throw new IllegalArgumentException("no " + vocab.token(vocab.maskId()) + " token in the input: '"
                        + abbreviate(r.text()) + "'");
            }
            encodings.add(e);
            maskPositions.add(masks);
        }
        EncoderBatch batch = EncoderBatch.pad(encodings, vocab.padId());
        EncoderOutputs out = context.encoder().encode(batch);
        int seqLen = batch.seqLen();
        int total = maskPositions.stream().mapToInt(m -> m.length).sum();
        int[] rows = new int[total];
        int k = 0;
        for (int b = 0; b < requests.size(); b++) {
            for (int p : maskPositions.get(b)) {
                rows[k++] = b * seqLen + p;
            }
        }
        Tape tape = Tape.inference();
        Var hidden = tape.rows(tape.constant(out.sequenceOutput()), rows);
        INDArray probs = Tape.softmax(logits(tape, hidden).value());
        List<FillMaskAnswer> answers = new ArrayList<>();
        k = 0;
        for (int b = 0; b < requests.size(); b++) {
            FillMaskRequest r = requests.get(b);
            int[] masks = maskPositions.get(b);
            int[] candidates = r.targets() == null ? null : targetIds(r.targets());
            List<List<FillMaskPrediction>> perMask = new ArrayList<>();
            for (int mask : masks) {
                float[] p = probs.getRow(k++).toFloatVector();
                perMask.add(topK(encodings.get(b).ids(), mask, masks.length == 1, p, r.topK(), candidates));
            }
            answers.add(new FillMaskAnswer(perMask));
        }
        return answers;
    }

    /**
     * The ids Hugging Face scores for {@code targets}: each target's first WordPiece (with a leading space
     * semantics irrelevant for WordPiece); targets that tokenize to nothing are dropped, and at least one must remain.
     */
    private int[] targetIds(List<String> targets) {
        List<Integer> ids = new ArrayList<>();
        for (String t : targets) {
            List<String> pieces = context.tokenizer().tokenize(t);
            if (!pieces.isEmpty()) {
                int id = context.tokenizer().vocabulary().id(pieces.get(0));
                if (!ids.contains(id)) {
                    ids.add(id);
                }
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("none of the targets " + targets + " is in the vocabulary");
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private List<FillMaskPrediction> topK(int[] ids, int maskPos, boolean singleMask, float[] probs, int k,
                                          int[] candidates) {
        int[] order = candidates != null ? candidates.clone() : null;
        int n = candidates != null ? candidates.length : probs.length;
        k = Math.min(k, n);
        // Partial selection: keep the k best in a small sorted array, one pass over the vocabulary.
        int[] best = new int[k];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            int id = order != null ? order[i] : i;
            float s = probs[id];
            if (filled < k) {
                int j = filled++;
                while (j > 0 && probs[best[j - 1]] < s) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = id;
            } else if (s > probs[best[k - 1]]) {
                int j = k - 1;
                while (j > 0 && probs[best[j - 1]] < s) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = id;
            }
        }
        WordPieceTokenizer tokenizer = context.tokenizer();
        List<FillMaskPrediction> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            int id = best[i];
            int[] filledIds = ids.clone();
            filledIds[maskPos] = id;
            // As Hugging Face: with one mask the sequence drops special tokens; with several it keeps them.
            String sequence = tokenizer.decode(filledIds, singleMask);
            out.add(new FillMaskPrediction(probs[id], id, tokenizer.decode(new int[] {id}, false), sequence));
        }
        return out;
    }

    private static int[] positionsOf(int[] ids, int id) {
        int n = 0;
        for (int x : ids) {
            if (x == id) {
                n++;
            }
        }
        int[] pos = new int[n];
        n = 0;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                pos[n++] = i;
            }
        }
        return pos;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // ---- training -------------------------------------------------------------------------------------------

    /** One text per non-blank line. */
    @Override
    public List<MaskedLmExample> readExamples(Path file, Map<String, String> options) throws IOException {
        List<MaskedLmExample> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(new MaskedLmExample(line));
            }
        }
        return out;
    }

    /** Targets of a masked-LM batch: the flattened row of each masked position and its original token id. */
    record MaskedTargets(int[] rows, int[] labels) {
    }

    @Override
    public HeadBatch<MaskedLmExample> encode(List<MaskedLmExample> examples, int maxLength) {
        return encode(examples, maxLength, rng);
    }

    /** Tokenizes and masks: BERT's 15% of non-special tokens, at least one per text, 80/10/10. */
    HeadBatch<MaskedLmExample> encode(List<MaskedLmExample> examples, int maxLength, Rng random) {
        WordPieceTokenizer tokenizer = context.tokenizer();
        Vocabulary vocab = tokenizer.vocabulary();
        var options = new dev.bertj.core.tokenizer.EncodeOptions(maxLength,
                dev.bertj.core.tokenizer.Truncation.LONGEST_FIRST, 0, false, true);
        List<Encoding> encodings = new ArrayList<>();
        for (MaskedLmExample ex : examples) {
            encodings.add(tokenizer.encode(ex.text(), null, options));
        }
        EncoderBatch batch = EncoderBatch.pad(encodings, vocab.padId());
        int seqLen = batch.seqLen();
        List<Integer> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int b = 0; b < encodings.size(); b++) {
            int[] ids = batch.inputIds()[b];
            int[] special = encodings.get(b).sequenceIds();
            List<Integer> candidates = new ArrayList<>();
            for (int t = 0; t < encodings.get(b).length(); t++) {
                if (special[t] >= 0) {
                    candidates.add(t);
                }
            }
            if (candidates.isEmpty()) {
                continue;
            }
            random.shuffle(candidates);
            int count = Math.max(1, (int) Math.round(candidates.size() * MASK_RATE));
            for (int i = 0; i < count; i++) {
                int t = candidates.get(i);
                rows.add(b * seqLen + t);
                labels.add(ids[t]);
                double u = random.nextDouble();
                if (u < 0.8) {
                    ids[t] = vocab.maskId();
                } else if (u < 0.9) {
                    ids[t] = random.nextInt(vocab.size());
                }
            }
        }
        return new HeadBatch<>(batch, examples, new MaskedTargets(
                rows.stream().mapToInt(Integer::intValue).toArray(), labels.stream().mapToInt(Integer::intValue).toArray()));
    }

    @Override
    public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<MaskedLmExample> batch) {
        MaskedTargets targets = (MaskedTargets) batch.targets();
        Var logits = logits(tape, tape.rows(encoder.sequenceOutput(), targets.rows()));
        Var loss = tape.softmaxCrossEntropy(logits, targets.labels(), null, 0);
        return new HeadLoss(loss, Map.of("mlm_accuracy", accuracy(logits.value(), targets.labels())));
    }

    static double accuracy(INDArray logits, int[] labels) {
        if (labels.length == 0) {
            return 0;
        }
        INDArray argmax = logits.argMax(1);
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            if (argmax.getInt(i) == labels[i]) {
                right++;
            }
        }
        return (double) right / labels.length;
    }

    /** Masked-token accuracy and loss with a fixed masking seed, so that runs compare. */
    @Override
    public Map<String, Double> evaluate(List<MaskedLmExample> examples) {
        Rng fixed = new Rng(12345);
        int right = 0;
        int total = 0;
        double lossSum = 0;
        int batches = 0;
        for (int from = 0; from < examples.size(); from += 16) {
            var batch = encode(examples.subList(from, Math.min(examples.size(), from + 16)),
                    context.config().maxPositionEmbeddings(), fixed);
            MaskedTargets t = (MaskedTargets) batch.targets();
            EncoderOutputs out = context.encoder().encode(batch.input());
            Tape tape = Tape.inference();
            Var logits = logits(tape, tape.rows(tape.constant(out.sequenceOutput()), t.rows()));
            right += (int) Math.round(accuracy(logits.value(), t.labels()) * t.labels().length);
            total += t.labels().length;
            lossSum += tape.softmaxCrossEntropy(logits, t.labels(), null, 0).value().getDouble(0);
            batches++;
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mlm_accuracy", total == 0 ? 0 : (double) right / total);
        m.put("mlm_loss", batches == 0 ? 0 : lossSum / batches);
        m.put("masked_tokens", (double) total);
        return m;
    }
}
