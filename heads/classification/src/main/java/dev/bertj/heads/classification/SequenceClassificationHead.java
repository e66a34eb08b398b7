package dev.bertj.heads.classification;

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
import dev.bertj.core.io.AtomicFile;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.Linear;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequence classification ({@code BertForSequenceClassification}): the pooled [CLS] output, dropout, and one
 * linear layer {@code classifier} to one logit per label. Single-label heads take a softmax over the labels
 * (cross-entropy loss, optionally class-weighted); multi-label heads a sigmoid per label (binary cross-entropy,
 * a threshold per label). Texts and text pairs; batches are padded to their longest member.
 *
 * <p>A head created without {@code labels} takes them from the first file it reads (the training file): the
 * distinct labels, sorted. Until then it has no parameters.
 */
public final class SequenceClassificationHead
        implements TaskHead<ClassificationRequest, ClassificationAnswer, ClassificationExample> {

    static final String PREFIX = "classifier";

    /** The head's settings and its output layer, fixed once the labels are known. */
    private record State(ClassificationSettings settings, Linear classifier) {
    }

    private final HeadContext context;
    /** The options of {@link SequenceClassificationHeadFactory#create}, for what is settled by the first file read. */
    private final Map<String, String> createOptions;
    private volatile State state;
    private volatile boolean balancedWeightsPending;
    /** Where {@link #evaluate(List)} also writes its predictions ({@code predictions} option of the data), or null. */
    private volatile Path predictionsFile;

    private SequenceClassificationHead(HeadContext context, Map<String, String> createOptions, State state,
                                       boolean balancedWeightsPending) {
        this.context = context;
        this.createOptions = Map.copyOf(createOptions);
        this.state = state;
        this.balancedWeightsPending = balancedWeightsPending;
    }

    /** A fresh head; see {@link SequenceClassificationHeadFactory} for the options. */
    static SequenceClassificationHead fresh(HeadContext context, Map<String, String> options) {
        boolean balanced = "balanced".equalsIgnoreCase(options.getOrDefault("class_weights", "").strip());
        State state = null;
        if (options.containsKey("labels")) {
            state = newState(context, options, Labels.parse(options.get("labels")), null);
        } else {
            // Fail on bad options now rather than after reading a large training file.
            problemType(options);
            dropout(context, options);
            maxSeqLen(context, options);
        }
        return new SequenceClassificationHead(context, options, state, balanced);
    }

    /** A head with known settings (loading a saved one). */
    static SequenceClassificationHead of(HeadContext context, ClassificationSettings settings) {
        return new SequenceClassificationHead(context, Map.of(), new State(settings, freshClassifier(context, settings)),
                false);
    }

    private static State newState(HeadContext context, Map<String, String> options, List<String> labels,
                                  List<ClassificationExample> training) {
        ProblemType type = problemType(options);
        String weightsSpec = options.getOrDefault("class_weights", "").strip();
        List<Double> weights = null;
        if (!weightsSpec.isEmpty() && !weightsSpec.equalsIgnoreCase("none")) {
            if (type == ProblemType.MULTI_LABEL) {
                throw new IllegalArgumentException("class_weights apply to single-label classification only");
            }
            if (weightsSpec.equalsIgnoreCase("balanced")) {
                weights = training == null ? null : boxed(Labels.balanced(training, labels));
            } else {
                weights = boxed(Labels.perLabel("class_weights", weightsSpec, labels, 1.0));
            }
        }
        List<Double> thresholds = options.containsKey("thresholds")
                ? boxed(Labels.perLabel("thresholds", options.get("thresholds"), labels,
                ClassificationSettings.DEFAULT_THRESHOLD))
                : null;
        int batch = options.containsKey("predict_batch_size")
                ? intOption(options, "predict_batch_size") : ClassificationSettings.DEFAULT_PREDICT_BATCH_SIZE;
        ClassificationSettings s = new ClassificationSettings(labels, type, dropout(context, options),
                maxSeqLen(context, options), thresholds, weights, batch);
        return new State(s, freshClassifier(context, s));
    }

    /** N(0, initializer_range) weights and zero biases, as Hugging Face initialises a new classifier. */
    private static Linear freshClassifier(HeadContext context, ClassificationSettings s) {
        return Linear.create(PREFIX, context.config().hiddenSize(), s.numLabels(), true,
                context.config().initializerRange(), context.rng());
    }

    private static ProblemType problemType(Map<String, String> options) {
        return ProblemType.parse(options.getOrDefault("problem_type", ProblemType.SINGLE_LABEL.hfName()));
    }

    /** HF: classifier_dropout when set, else the encoder's hidden_dropout_prob. */
    private static double dropout(HeadContext context, Map<String, String> options) {
        if (!options.containsKey("classifier_dropout")) {
            return context.config().hiddenDropoutProb();
        }
        try {
            return Double.parseDouble(options.get("classifier_dropout").strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("classifier_dropout must be a number, got '"
                    + options.get("classifier_dropout") + "'");
        }
    }

    static int defaultMaxSeqLen(HeadContext context) {
        return Math.min(512, context.config().maxPositionEmbeddings());
    }

    private static int maxSeqLen(HeadContext context, Map<String, String> options) {
        int v = options.containsKey("max_seq_len") ? intOption(options, "max_seq_len") : defaultMaxSeqLen(context);
        if (v > context.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("max_seq_len " + v + " exceeds the "
                    + context.config().maxPositionEmbeddings() + " positions this encoder reads");
        }
        return v;
    }

    private static int intOption(Map<String, String> options, String key) {
        try {
            return Integer.parseInt(options.get(key).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + options.get(key) + "'");
        }
    }

    private static List<Double> boxed(double[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    private State state() {
        State s = state;
        if (s == null) {
            throw new IllegalStateException("the classification head has no labels yet: give labels=... when creating "
                    + "it, or read the training file first (the labels are discovered from it)");
        }
        return s;
    }

    public ClassificationSettings settings() {
        return state().settings();
    }

    @Override
    public HeadDescriptor descriptor() {
        return SequenceClassificationHeadFactory.DESCRIPTOR;
    }

    @Override
    public List<Parameter> parameters() {
        return state().classifier().parameters();
    }

    @Override
    public ObjectNode config() {
        ObjectNode c = HeadFiles.json().createObjectNode();
        c.put("hidden_size", context.config().hiddenSize());
        settings().writeTo(c);
        return c;
    }

    // ---- inference ------------------------------------------------------------------------------------------

    @Override
    public ClassificationAnswer predict(ClassificationRequest request) {
        return predictBatch(List.of(request)).get(0);
    }

    /** Dynamic padding: texts are grouped by length and each encoder batch is padded to its longest text. */
    @Override
    public List<ClassificationAnswer> predictBatch(List<ClassificationRequest> requests) {
        return predictBatch(requests, 0);
    }

    /**
     * @param padTo 0 for dynamic padding; else every text is truncated and padded to exactly this many tokens
     *              (Hugging Face's {@code padding="max_length"}), for comparison
     */
    public List<ClassificationAnswer> predictBatch(List<ClassificationRequest> requests, int padTo) {
        State s = state();
        ClassificationSettings settings = s.settings();
        int maxLength = padTo > 0 ? padTo : settings.maxSeqLen();
        List<Encoding> encodings = new ArrayList<>(requests.size());
        for (ClassificationRequest r : requests) {
            encodings.add(context.tokenizer().encode(r.text(), r.textPair(), EncodeOptions.truncate(maxLength)));
        }
        double[][] probabilities = probabilities(s, encodings, padTo);
        List<ClassificationAnswer> answers = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            answers.add(answer(settings, probabilities[i], requests.get(i).topK()));
        }
        return answers;
    }

    /**
     * Label probabilities for each encoding, in input order; the encoder sees batches of similar length
     * (longest first) so that dynamic padding wastes little.
     */
    private double[][] probabilities(State s, List<Encoding> encodings, int padTo) {
        Integer[] order = new Integer[encodings.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> encodings.get(i).length()).reversed());
        double[][] out = new double[encodings.size()][];
        int batchSize = s.settings().predictBatchSize();
        int padId = context.tokenizer().vocabulary().padId();
        for (int from = 0; from < order.length; from += batchSize) {
            List<Encoding> chunk = new ArrayList<>();
            for (int k = from; k < Math.min(order.length, from + batchSize); k++) {
                chunk.add(encodings.get(order[k]));
            }
            EncoderBatch batch = padTo > 0 ? EncoderBatch.pad(chunk, padId, padTo) : EncoderBatch.pad(chunk, padId);
            double[][] probs = probabilities(s, context.encoder().encode(batch));
            for (int b = 0; b < chunk.size(); b++) {
                out[order[from + b]] = probs[b];
            }
        }
        return out;
    }

    private static double[][] probabilities(State s, EncoderOutputs out) {
        Tape tape = Tape.inference();
        INDArray logits = s.classifier().forward(tape, tape.constant(out.pooledOutput())).value();
        boolean multi = s.settings().problemType() == ProblemType.MULTI_LABEL;
        INDArray p = multi ? logits : Tape.softmax(logits);
        double[][] rows = p.castTo(DataType.DOUBLE).toDoubleMatrix();
        if (multi) {
            for (double[] row : rows) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = 1 / (1 + Math.exp(-row[j]));
                }
            }
        }
        return rows;
    }

    /**
     * Labels best first: single-label heads give the {@code top_k} best (default 1); multi-label heads give the
     * labels at or above their thresholds, or with {@code top_k} the k best whatever their scores.
     */
    static ClassificationAnswer answer(ClassificationSettings s, double[] probs, Integer topK) {
        Integer[] ids = new Integer[probs.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Arrays.sort(ids, Comparator.comparingDouble((Integer i) -> probs[i]).reversed().thenComparingInt(i -> i));
        List<LabelScore> out = new ArrayList<>();
        boolean byThreshold = s.problemType() == ProblemType.MULTI_LABEL && topK == null;
        int k = topK != null ? Math.min(topK, probs.length) : byThreshold ? probs.length : 1;
        for (int i = 0; i < k; i++) {
            int id = ids[i];
            if (byThreshold && probs[id] < s.thresholds().get(id)) {
                continue;
            }
            out.add(new LabelScore(s.labels().get(id), probs[id]));
        }
        return new ClassificationAnswer(out);
    }

    // ---- training -------------------------------------------------------------------------------------------

    /**
     * Labelled texts from TSV, CSV or JSON lines (see {@link ClassificationData} for the options). The first file
     * read settles what the creation options left open: the labels (discovered, sorted) and balanced class weights.
     * Every label of the file must be one of the head's labels. Option {@code predictions=FILE}: {@link #evaluate}
     * also writes its predictions there, GLUE's submission format ({@code index<TAB>prediction}, a multi-label
     * prediction as its labels joined by commas).
     */
    @Override
    public synchronized List<ClassificationExample> readExamples(Path file, Map<String, String> options)
            throws IOException {
        Map<String, String> merged = new LinkedHashMap<>(createOptions);
        merged.putAll(options);
        if (options.get("predictions") != null) {
            predictionsFile = Path.of(options.get("predictions"));
        }
        boolean multi = (state != null ? state.settings().problemType() : problemType(merged)) == ProblemType.MULTI_LABEL;
        List<ClassificationExample> examples = ClassificationData.read(file, merged, multi);
        if (state == null) {
            state = newState(context, merged, Labels.discover(examples), examples);
            balancedWeightsPending = false;
        }
        checkLabels(file.toString(), examples);
        if (balancedWeightsPending) {
            ClassificationSettings s = state.settings();
            state = new State(new ClassificationSettings(s.labels(), s.problemType(), s.dropout(), s.maxSeqLen(),
                    s.thresholds(), boxed(Labels.balanced(examples, s.labels())), s.predictBatchSize()),
                    state.classifier());
            balancedWeightsPending = false;
        }
        return examples;
    }

    private void checkLabels(String source, List<ClassificationExample> examples) {
        List<String> labels = state().settings().labels();
        for (int i = 0; i < examples.size(); i++) {
            ClassificationExample e = examples.get(i);
            if (state.settings().problemType() == ProblemType.SINGLE_LABEL && e.labels().size() != 1) {
                throw new IllegalArgumentException(source + ": example " + (i + 1) + " has " + e.labels().size()
                        + " labels; a single-label head needs exactly one");
            }
            for (String l : e.labels()) {
                if (!labels.contains(l)) {
                    throw new IllegalArgumentException(source + ": example " + (i + 1) + " has label '" + l
                            + "', which is not one of the head's labels " + labels);
                }
            }
        }
    }

    /** Tokens of an example after truncation to {@code maxLength}: the length that bucketing sorts by. */
    @Override
    public int tokenLength(ClassificationExample e, int maxLength) {
        return context.tokenizer().encode(e.text(), e.textPair(), EncodeOptions.truncate(maxLength)).length();
    }

    /** Targets of a batch: label ids (single-label) or a multi-hot matrix {@code [batch, labels]} (multi-label). */
    record Targets(int[] labelIds, float[] multiHot) {
    }

    @Override
    public HeadBatch<ClassificationExample> encode(List<ClassificationExample> examples, int maxLength) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("an empty batch of classification examples");
        }
        ClassificationSettings s = settings();
        List<Encoding> encodings = new ArrayList<>(examples.size());
        EncodeOptions options = EncodeOptions.truncate(maxLength);
        int n = s.numLabels();
        int[] ids = new int[examples.size()];
        float[] multiHot = s.problemType() == ProblemType.MULTI_LABEL ? new float[examples.size() * n] : null;
        for (int b = 0; b < examples.size(); b++) {
            ClassificationExample e = examples.get(b);
            encodings.add(context.tokenizer().encode(e.text(), e.textPair(), options));
            if (multiHot == null) {
                ids[b] = labelId(s, e.label());
            } else {
                for (String l : e.labels()) {
                    multiHot[b * n + labelId(s, l)] = 1;
                }
            }
        }
        return new HeadBatch<>(EncoderBatch.pad(encodings, context.tokenizer().vocabulary().padId()), examples,
                new Targets(multiHot == null ? ids : null, multiHot));
    }

    private static int labelId(ClassificationSettings s, String label) {
        int id = s.labels().indexOf(label);
        if (id < 0) {
            throw new IllegalArgumentException("label '" + label + "' is not one of the head's labels " + s.labels());
        }
        return id;
    }

    /**
     * HF's loss: cross-entropy of the softmax (weighted by label when class weights are set, the mean taken over
     * the summed weights, as PyTorch does) or the mean binary cross-entropy of the sigmoids. Dropout on the pooled
     * output as HF's {@code BertForSequenceClassification}.
     */
    /** Reads only the pooled output: with a frozen encoder, each example's pooled vector is computed once. */
    @Override
    public boolean usesSequenceOutput() {
        return false;
    }

    @Override
    public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<ClassificationExample> batch) {
        State s = state();
        Targets t = (Targets) batch.targets();
        Var pooled = tape.dropout(encoder.pooledOutput(), s.settings().dropout(), context.rng());
        Var logits = s.classifier().forward(tape, pooled);
        if (t.labelIds() != null) {
            Var loss = tape.softmaxCrossEntropy(logits, t.labelIds(), s.settings().classWeightArray(), 0);
            return new HeadLoss(loss, Map.of("accuracy", accuracy(logits.value(), t.labelIds())));
        }
        int rows = batch.examples().size();
        INDArray targets = Nd4j.create(t.multiHot(), new long[] {rows, s.settings().numLabels()}, 'c')
                .castTo(logits.value().dataType());
        Var loss = tape.sigmoidCrossEntropy(logits, targets);
        return new HeadLoss(loss, Map.of("label_accuracy", labelAccuracy(s.settings(), logits.value(), t.multiHot())));
    }

    static double accuracy(INDArray logits, int[] labels) {
        INDArray argmax = logits.argMax(1);
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += argmax.getInt(i) == labels[i] ? 1 : 0;
        }
        return labels.length == 0 ? 0 : (double) right / labels.length;
    }

    /** The share of (example, label) decisions right at the thresholds. */
    private static double labelAccuracy(ClassificationSettings s, INDArray logits, float[] multiHot) {
        double[][] z = logits.castTo(DataType.DOUBLE).toDoubleMatrix();
        int n = s.numLabels();
        int right = 0;
        for (int b = 0; b < z.length; b++) {
            for (int j = 0; j < n; j++) {
                boolean predicted = 1 / (1 + Math.exp(-z[b][j])) >= s.thresholds().get(j);
                right += predicted == (multiHot[b * n + j] > 0) ? 1 : 0;
            }
        }
        return z.length == 0 ? 0 : (double) right / (z.length * n);
    }

    // ---- evaluation -----------------------------------------------------------------------------------------

    /** Accuracy, macro-F1 and the confusion matrix (see {@link #report}); writes the predictions when asked to. */
    @Override
    public Map<String, Double> evaluate(List<ClassificationExample> examples) {
        Report r = report(examples);
        Path file = predictionsFile;
        if (file != null) {
            try {
                writePredictions(r.predictions(), file);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file + ": cannot write the predictions: " + e.getMessage(), e);
            }
        }
        return r.metrics();
    }

    /** The evaluation's numbers, a printable table of them, and the predicted label(s) of each example. */
    public record Report(Map<String, Double> metrics, String table, List<List<String>> predictions) {
    }

    /** GLUE's submission format: a header {@code index<TAB>prediction}, then one line per example. */
    public static void writePredictions(List<List<String>> predictions, Path file) throws IOException {
        StringBuilder sb = new StringBuilder("index\tprediction\n");
        for (int i = 0; i < predictions.size(); i++) {
            sb.append(i).append('\t').append(String.join(",", predictions.get(i))).append('\n');
        }
        AtomicFile.writeString(file, sb);
    }

    /**
     * Single-label: accuracy, macro-F1 and the confusion matrix ({@link ConfusionMatrix}). Multi-label: subset
     * accuracy, macro- and micro-F1 and per-label counts at the thresholds ({@link MultiLabelScores}).
     */
    public Report report(List<ClassificationExample> examples) {
        State s = state();
        ClassificationSettings settings = s.settings();
        checkLabels("evaluation data", examples);
        List<Encoding> encodings = new ArrayList<>(examples.size());
        for (ClassificationExample e : examples) {
            encodings.add(context.tokenizer().encode(e.text(), e.textPair(), EncodeOptions.truncate(settings.maxSeqLen())));
        }
        double[][] probs = probabilities(s, encodings, 0);
        List<List<String>> predictions = new ArrayList<>(examples.size());
        if (settings.problemType() == ProblemType.SINGLE_LABEL) {
            ConfusionMatrix m = new ConfusionMatrix(settings.labels());
            for (int i = 0; i < examples.size(); i++) {
                int predicted = argmax(probs[i]);
                m.add(labelId(settings, examples.get(i).label()), predicted);
                predictions.add(List.of(settings.labels().get(predicted)));
            }
            return new Report(m.metrics(), m.table(), predictions);
        }
        MultiLabelScores m = new MultiLabelScores(settings.labels());
        int n = settings.numLabels();
        for (int i = 0; i < examples.size(); i++) {
            boolean[] gold = new boolean[n];
            for (String l : examples.get(i).labels()) {
                gold[labelId(settings, l)] = true;
            }
            boolean[] predicted = new boolean[n];
            List<String> labels = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                predicted[j] = probs[i][j] >= settings.thresholds().get(j);
                if (predicted[j]) {
                    labels.add(settings.labels().get(j));
                }
            }
            m.add(gold, predicted);
            predictions.add(labels);
        }
        return new Report(m.metrics(), m.table(), predictions);
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
