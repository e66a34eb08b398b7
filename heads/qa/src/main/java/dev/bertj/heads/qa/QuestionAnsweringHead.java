package dev.bertj.heads.qa;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.head.EncoderBatch;
import dev.bertj.core.head.EncoderOutputs;
import dev.bertj.core.head.EncoderVars;
import dev.bertj.core.head.EvaluationProgress;
import dev.bertj.core.head.HeadBatch;
import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.HeadLoss;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.Linear;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Span question answering ({@code BertForQuestionAnswering}): one linear layer {@code qa_outputs} turns each
 * token's final hidden state into a start logit and an end logit. A long context is read in overlapping windows;
 * the answer is the best span over all windows, scored as Hugging Face's question-answering pipeline scores it,
 * and returned as character offsets into the original context.
 */
public final class QuestionAnsweringHead implements TaskHead<QaRequest, QaResult, QaFeature> {

    static final String PREFIX = "qa_outputs";
    private static final System.Logger LOG = System.getLogger(QuestionAnsweringHead.class.getName());

    private final HeadContext context;
    private final Linear qaOutputs;
    private final QaSettings settings;
    /** Where {@link #evaluate(List)} also writes its predictions ({@code predictions} option of the data), or null. */
    private volatile Path predictionsFile;

    QuestionAnsweringHead(HeadContext context, Linear qaOutputs, QaSettings settings) {
        if (settings.windows().maxSeqLen() > context.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("max_seq_len " + settings.windows().maxSeqLen() + " exceeds the "
                    + context.config().maxPositionEmbeddings() + " positions this encoder reads");
        }
        this.context = context;
        this.qaOutputs = qaOutputs;
        this.settings = settings;
    }

    /** A fresh head: {@code qa_outputs} from N(0, initializer_range), bias 0, as Hugging Face initialises it. */
    static QuestionAnsweringHead fresh(HeadContext context, QaSettings settings) {
        return new QuestionAnsweringHead(context, Linear.create(PREFIX, context.config().hiddenSize(), 2, true,
                context.config().initializerRange(), context.rng()), settings);
    }

    @Override
    public HeadDescriptor descriptor() {
        return QuestionAnsweringHeadFactory.DESCRIPTOR;
    }

    @Override
    public List<Parameter> parameters() {
        return qaOutputs.parameters();
    }

    public QaSettings settings() {
        return settings;
    }

    @Override
    public ObjectNode config() {
        ObjectNode c = HeadFiles.json().createObjectNode();
        c.put("hidden_size", context.config().hiddenSize());
        settings.writeTo(c);
        return c;
    }

    /** Start and end logits {@code [rows, 2]} of hidden states {@code [rows, hidden]}. */
    Var logits(Tape tape, Var hidden) {
        return qaOutputs.forward(tape, hidden);
    }

    // ---- inference ------------------------------------------------------------------------------------------

    @Override
    public QaResult predict(QaRequest request) {
        return predictBatch(List.of(request)).get(0);
    }

    @Override
    public List<QaResult> predictBatch(List<QaRequest> requests) {
        List<QaInput> inputs = new ArrayList<>(requests.size());
        for (QaRequest r : requests) {
            inputs.add(QaInput.of(context.tokenizer(), r.question(), r.context(), settings.windows()));
        }
        List<List<SpanDecoder.WindowSpans>> spans = decodeWindows(inputs, requests);
        List<QaResult> results = new ArrayList<>(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            QaRequest r = requests.get(i);
            int topK = r.topK() != null ? r.topK() : 1;
            results.add(new QaResult(answers(inputs.get(i), spans.get(i), topK, handleImpossible(r),
                    r.nullThreshold() != null ? r.nullThreshold() : settings.nullThreshold()), topK > 1));
        }
        return results;
    }

    private boolean handleImpossible(QaRequest r) {
        return r.handleImpossibleAnswer() != null ? r.handleImpossibleAnswer() : settings.handleImpossibleAnswer();
    }

    /**
     * Runs every window of every input through the encoder, {@code predict_batch_size} windows at a time (longest
     * first, so that windows of similar length share a batch), and decodes each window's best spans.
     */
    private List<List<SpanDecoder.WindowSpans>> decodeWindows(List<QaInput> inputs, List<QaRequest> requests) {
        record Job(int input, QaInput.Window window) {
        }
        List<Job> jobs = new ArrayList<>();
        List<List<SpanDecoder.WindowSpans>> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            QaInput in = inputs.get(i);
            if (in.windowsNeeded > in.windows.size()) {
                LOG.log(System.Logger.Level.WARNING, "the context needs {0} windows; only the first {1} "
                        + "(max_windows) are read, up to character {2} of {3}", in.windowsNeeded, in.windows.size(),
                        in.context.charEnd[in.windows.get(in.windows.size() - 1).contextTo() - 1],
                        in.context.text.length());
            }
            List<SpanDecoder.WindowSpans> perWindow = new ArrayList<>(in.windows.size());
            for (QaInput.Window w : in.windows) {
                jobs.add(new Job(i, w));
                perWindow.add(null);
            }
            out.add(perWindow);
        }
        jobs.sort(Comparator.comparingInt((Job j) -> j.window().length()).reversed());
        Vocabulary vocab = context.tokenizer().vocabulary();
        int batchSize = settings.predictBatchSize();
        for (int from = 0; from < jobs.size(); from += batchSize) {
            List<Job> chunk = jobs.subList(from, Math.min(jobs.size(), from + batchSize));
            int seqLen = chunk.get(0).window().length();
            int[][] ids = new int[chunk.size()][];
            int[][] types = new int[chunk.size()][];
            int[][] mask = new int[chunk.size()][];
            for (int b = 0; b < chunk.size(); b++) {
                Job j = chunk.get(b);
                QaInput in = inputs.get(j.input());
                ids[b] = pad(in.inputIds(j.window(), vocab), seqLen, vocab.padId());
                types[b] = pad(in.typeIds(j.window()), seqLen, 0);
                mask[b] = pad(ones(j.window().length()), seqLen, 0);
            }
            float[] logits = startEndLogits(new EncoderBatch(ids, types, mask));
            for (int b = 0; b < chunk.size(); b++) {
                Job j = chunk.get(b);
                QaRequest r = requests.get(j.input());
                float[] start = new float[j.window().length()];
                float[] end = new float[j.window().length()];
                for (int t = 0; t < start.length; t++) {
                    start[t] = logits[2 * (b * seqLen + t)];
                    end[t] = logits[2 * (b * seqLen + t) + 1];
                }
                int topK = r.topK() != null ? r.topK() : 1;
                // Spans that differ in tokens can cover the same words (whole-word alignment) or come from two
                // overlapping windows; keep spares so that top_k distinct answers remain after merging them.
                int perWindow = topK == 1 ? 1 : 3 * topK;
                int maxAnswerLen = r.maxAnswerLen() != null ? r.maxAnswerLen() : settings.maxAnswerLen();
                out.get(j.input()).set(j.window().index(),
                        SpanDecoder.decode(j.window(), start, end, perWindow, maxAnswerLen));
            }
        }
        return out;
    }

    /** The encoder and {@code qa_outputs} on a batch: logits {@code [batch * seqLen, 2]} flattened row-major. */
    private float[] startEndLogits(EncoderBatch batch) {
        EncoderOutputs out = context.encoder().encode(batch);
        Tape tape = Tape.inference();
        INDArray logits = logits(tape, tape.constant(out.sequenceOutput())).value();
        return logits.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    }

    /**
     * The best answers over all windows: each span mapped to whole words of the original context, one entry per
     * distinct character span (overlapping windows find the same span twice; the higher score is kept), the
     * no-answer entry when asked for, best first.
     */
    static List<QaAnswer> answers(QaInput in, List<SpanDecoder.WindowSpans> windows, int topK,
                                  boolean handleImpossible, double nullThreshold) {
        record Ranked(QaAnswer answer, double rank) {
        }
        Map<Long, Ranked> bySpan = new HashMap<>();
        double minNull = Double.POSITIVE_INFINITY;
        for (SpanDecoder.WindowSpans w : windows) {
            minNull = Math.min(minNull, w.nullScore());
            for (SpanDecoder.Span s : w.spans()) {
                int start = in.context.wordStart(s.start());
                int end = in.context.wordEnd(s.end());
                long key = ((long) start << 32) | end;
                Ranked old = bySpan.get(key);
                if (old == null || old.rank() < s.score()) {
                    bySpan.put(key, new Ranked(new QaAnswer(s.score(), start, end,
                            in.context.text.substring(start, end)), s.score()));
                }
            }
        }
        List<Ranked> ranked = new ArrayList<>(bySpan.values());
        if (handleImpossible) {
            ranked.add(new Ranked(new QaAnswer(minNull, 0, 0, ""), minNull - nullThreshold));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::rank).reversed()
                .thenComparingInt(r -> r.answer().start()).thenComparingInt(r -> r.answer().end()));
        List<QaAnswer> out = new ArrayList<>(Math.min(topK, ranked.size()));
        for (int i = 0; i < ranked.size() && i < topK; i++) {
            out.add(ranked.get(i).answer());
        }
        return out;
    }

    private static int[] pad(int[] a, int length, int value) {
        if (a.length == length) {
            return a;
        }
        int[] p = Arrays.copyOf(a, length);
        Arrays.fill(p, a.length, length, value);
        return p;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }

    // ---- training -------------------------------------------------------------------------------------------

    /**
     * SQuAD-format JSON: one feature per window of each question (see {@link QaFeature}). The first gold answer is
     * the training target. Option {@code predictions=FILE}: {@link #evaluate(List)} also writes its predictions
     * there, in the official {@code {qid: answer}} format. A gold answer whose text is not at its {@code answer_start} in the context (or covers
     * no token) gives its features no target (they add nothing to the loss) but keeps the question for
     * evaluation.
     */
    @Override
    public List<QaFeature> readExamples(Path file, Map<String, String> options) throws IOException {
        if (options.get("predictions") != null) {
            predictionsFile = Path.of(options.get("predictions"));
        }
        return features(SquadReader.read(file));
    }

    /** Every window of each question as a feature, contexts tokenized once per paragraph. */
    public List<QaFeature> features(List<SquadExample> examples) {
        WordPieceTokenizer tokenizer = context.tokenizer();
        List<QaFeature> out = new ArrayList<>();
        TokenizedContext last = null;
        int unmapped = 0;
        int capped = 0;
        for (SquadExample ex : examples) {
            if (last == null || !last.text.equals(ex.context())) {
                last = TokenizedContext.of(tokenizer, ex.context());
            }
            QaInput in = QaInput.of(tokenizer, ex.question(), last, settings.windows());
            capped += in.windowsNeeded > in.windows.size() ? 1 : 0;
            int[] span = ex.impossible() ? null : answerTokens(ex, last);
            boolean noTarget = !ex.impossible() && span == null;
            unmapped += noTarget ? 1 : 0;
            for (QaInput.Window w : in.windows) {
                int start;
                int end;
                if (noTarget) {
                    start = -1;
                    end = -1;
                } else if (span != null && w.contains(span[0]) && w.contains(span[1])) {
                    start = w.position(span[0]);
                    end = w.position(span[1]);
                } else {
                    start = 0;
                    end = 0;
                }
                out.add(new QaFeature(ex, in, w.index(), start, end));
            }
        }
        if (unmapped > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0} of {1} questions have a gold answer that is not at its "
                    + "answer_start in the context; they are evaluated but not trained on", unmapped, examples.size());
        }
        if (capped > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0} contexts need more than max_windows = {1} windows; their "
                    + "tail is not read", capped, settings.windows().maxWindows());
        }
        return out;
    }

    /**
     * The first gold answer as context tokens {@code [first, last]}: the token holding its first character and
     * the token holding its last, or null when the answer text is not where {@code answer_start} says.
     */
    static int[] answerTokens(SquadExample ex, TokenizedContext ctx) {
        if (ex.answers().isEmpty()) {
            return null;
        }
        SquadExample.GoldAnswer a = ex.answers().get(0);
        if (a.start() < 0 || a.end() > ctx.text.length() || a.text().isBlank()
                || !ctx.text.startsWith(a.text(), a.start())) {
            return null;
        }
        int first = ctx.tokenAtOrAfter(a.start());
        int last = ctx.tokenBefore(a.end());
        if (first < 0 || last < first) {
            return null;
        }
        return new int[] {first, last};
    }

    /** A window's length in tokens ([CLS] question [SEP] context part [SEP]), for {@code --bucket-by-length}. */
    @Override
    public int tokenLength(QaFeature feature, int maxLength) {
        return feature.windowSpec().length();
    }

    /** Targets of a batch: start and end window positions (-1: no target) and the padding's logit bias. */
    record SpanTargets(int[] starts, int[] ends, int seqLen, float[] paddingBias) {
    }

    @Override
    public HeadBatch<QaFeature> encode(List<QaFeature> features, int maxLength) {
        if (features.isEmpty()) {
            throw new IllegalArgumentException("an empty batch of qa features");
        }
        Vocabulary vocab = context.tokenizer().vocabulary();
        int seqLen = 0;
        for (QaFeature f : features) {
            seqLen = Math.max(seqLen, f.windowSpec().length());
        }
        if (seqLen > maxLength) {
            throw new IllegalArgumentException("qa windows are up to " + settings.windows().maxSeqLen()
                    + " tokens (max_seq_len of the head) but the batch length is limited to " + maxLength
                    + ": raise --max-length to " + settings.windows().maxSeqLen()
                    + " or create the head with max_seq_len=" + maxLength);
        }
        int n = features.size();
        int[][] ids = new int[n][];
        int[][] types = new int[n][];
        int[][] mask = new int[n][];
        int[] starts = new int[n];
        int[] ends = new int[n];
        float[] bias = new float[n * seqLen];
        for (int b = 0; b < n; b++) {
            QaFeature f = features.get(b);
            QaInput.Window w = f.windowSpec();
            ids[b] = pad(f.input().inputIds(w, vocab), seqLen, vocab.padId());
            types[b] = pad(f.input().typeIds(w), seqLen, 0);
            mask[b] = pad(ones(w.length()), seqLen, 0);
            starts[b] = f.startPosition();
            ends[b] = f.endPosition();
            Arrays.fill(bias, b * seqLen + w.length(), (b + 1) * seqLen, (float) SpanDecoder.MASKED);
        }
        return new HeadBatch<>(new EncoderBatch(ids, types, mask), features, new SpanTargets(starts, ends, seqLen, bias));
    }

    /**
     * Hugging Face's span loss: cross-entropy of the start position and of the end position over the window's
     * positions, averaged. Padding positions are masked out of both softmaxes, so that the loss of a window does
     * not depend on how long the other windows of its batch are (dynamic padding); HF pads every window to 384
     * and leaves the padding in.
     */
    @Override
    public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<QaFeature> batch) {
        SpanTargets t = (SpanTargets) batch.targets();
        int n = t.starts().length;
        Var logits = logits(tape, encoder.sequenceOutput());
        INDArray bias = Nd4j.create(t.paddingBias(), new long[] {n, t.seqLen()}, 'c').castTo(logits.value().dataType());
        Var start = tape.add(tape.reshape(tape.columns(logits, 0, 1), n, t.seqLen()), tape.constant(bias));
        Var end = tape.add(tape.reshape(tape.columns(logits, 1, 2), n, t.seqLen()), tape.constant(bias));
        Var loss = tape.scale(tape.add(tape.softmaxCrossEntropy(start, t.starts(), null, 0),
                tape.softmaxCrossEntropy(end, t.ends(), null, 0)), 0.5);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("start_accuracy", accuracy(start.value(), t.starts()));
        metrics.put("end_accuracy", accuracy(end.value(), t.ends()));
        return new HeadLoss(loss, metrics);
    }

    static double accuracy(INDArray logits, int[] labels) {
        INDArray argmax = logits.argMax(1);
        int right = 0;
        int counted = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= 0) {
                counted++;
                right += argmax.getInt(i) == labels[i] ? 1 : 0;
            }
        }
        return counted == 0 ? 0 : (double) right / counted;
    }

    // ---- evaluation -----------------------------------------------------------------------------------------

    /**
     * SQuAD's official exact match and F1 (percent) over the questions of the features; the predictions are also
     * written when the data was read with a {@code predictions} option.
     */
    @Override
    public Map<String, Double> evaluate(List<QaFeature> features) {
        return evaluate(features, EvaluationProgress.NONE);
    }

    /** As {@link #evaluate(List)}, reporting the questions answered after every chunk of 256. */
    @Override
    public Map<String, Double> evaluate(List<QaFeature> features, EvaluationProgress progress) {
        Path file = predictionsFile;
        if (file != null) {
            try {
                return evaluate(features, file, progress);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(file + ": cannot write the predictions: " + e.getMessage(), e);
            }
        }
        List<SquadExample> questions = new ArrayList<>();
        Map<String, String> predictions = predictAnswers(features, questions, progress);
        return SquadMetric.score(questions, predictions);
    }

    /** As {@link #evaluate(List)}, and writes the predictions in the official {@code {qid: answer}} format. */
    public Map<String, Double> evaluate(List<QaFeature> features, Path predictionsFile) throws IOException {
        return evaluate(features, predictionsFile, EvaluationProgress.NONE);
    }

    private Map<String, Double> evaluate(List<QaFeature> features, Path predictionsFile, EvaluationProgress progress)
            throws IOException {
        List<SquadExample> questions = new ArrayList<>();
        Map<String, String> predictions = predictAnswers(features, questions, progress);
        SquadMetric.writePredictions(predictions, predictionsFile);
        return SquadMetric.score(questions, predictions);
    }

    /**
     * The best answer text of every question of the features ({@code qid -> answer}, in question order), with the
     * head's default decoding; {@code questionsOut} receives the distinct questions.
     */
    public Map<String, String> predictAnswers(List<QaFeature> features, List<SquadExample> questionsOut) {
        return predictAnswers(features, questionsOut, EvaluationProgress.NONE);
    }

    private Map<String, String> predictAnswers(List<QaFeature> features, List<SquadExample> questionsOut,
                                               EvaluationProgress progress) {
        Map<SquadExample, QaInput> distinct = new IdentityHashMap<>();
        List<QaInput> inputs = new ArrayList<>();
        for (QaFeature f : features) {
            if (distinct.putIfAbsent(f.example(), f.input()) == null) {
                questionsOut.add(f.example());
                inputs.add(f.input());
            }
        }
        Map<String, String> predictions = new LinkedHashMap<>();
        // Bounded chunks of questions, so that memory does not grow with the data set.
        int chunk = 256;
        for (int from = 0; from < inputs.size(); from += chunk) {
            List<QaInput> part = inputs.subList(from, Math.min(inputs.size(), from + chunk));
            List<QaRequest> requests = new ArrayList<>(part.size());
            for (QaInput in : part) {
                requests.add(QaRequest.of(in.question, in.context.text));
            }
            List<List<SpanDecoder.WindowSpans>> spans = decodeWindows(part, requests);
            for (int i = 0; i < part.size(); i++) {
                List<QaAnswer> best = answers(part.get(i), spans.get(i), 1, settings.handleImpossibleAnswer(),
                        settings.nullThreshold());
                predictions.put(questionsOut.get(from + i).id(), best.isEmpty() ? "" : best.get(0).answer());
            }
            progress.scored(from + part.size(), inputs.size(), "questions");
        }
        return predictions;
    }
}
