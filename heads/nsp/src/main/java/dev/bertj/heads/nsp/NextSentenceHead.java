package dev.bertj.heads.nsp;

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
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.Linear;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.Truncation;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's next-sentence head ({@code BertOnlyNSPHead}): the pooled [CLS] output through one linear layer to two
 * logits, IsNext and NotNext. 2 x hidden + 2 parameters on top of the pre-trained pooler.
 */
public final class NextSentenceHead implements TaskHead<NextSentenceRequest, NextSentenceAnswer, SentencePair> {

    static final String PREFIX = "cls.seq_relationship";
    /** Pairs longer than this are truncated longest-first, as BERT's pre-training data does. */
    static final int DEFAULT_MAX_LENGTH = 128;

    private final HeadContext context;
    private final Linear seqRelationship;
    /** The pair length {@link #evaluate} encodes with: the {@code max_length} option of the data last read. */
    private volatile int evalMaxLength = DEFAULT_MAX_LENGTH;

    NextSentenceHead(HeadContext context, Linear seqRelationship) {
        this.context = context;
        this.seqRelationship = seqRelationship;
    }

    static NextSentenceHead fresh(HeadContext context) {
        return new NextSentenceHead(context, Linear.create(PREFIX, context.config().hiddenSize(), 2, true,
                context.config().initializerRange(), context.rng()));
    }

    @Override
    public HeadDescriptor descriptor() {
        return NextSentenceHeadFactory.DESCRIPTOR;
    }

    @Override
    public List<Parameter> parameters() {
        return seqRelationship.parameters();
    }

    @Override
    public ObjectNode config() {
        ObjectNode c = HeadFiles.json().createObjectNode();
        c.put("hidden_size", context.config().hiddenSize());
        c.put("labels", "0=IsNext,1=NotNext");
        return c;
    }

    Var logits(Tape tape, Var pooled) {
        return seqRelationship.forward(tape, pooled);
    }

    @Override
    public NextSentenceAnswer predict(NextSentenceRequest request) {
        return predictBatch(List.of(request)).get(0);
    }

    @Override
    public List<NextSentenceAnswer> predictBatch(List<NextSentenceRequest> requests) {
        List<Encoding> encodings = new ArrayList<>();
        EncodeOptions options = options(context.config().maxPositionEmbeddings());
        for (NextSentenceRequest r : requests) {
            encodings.add(context.tokenizer().encode(r.textA(), r.textB(), options));
        }
        EncoderOutputs out = context.encoder().encode(EncoderBatch.pad(encodings, context.tokenizer().vocabulary().padId()));
        Tape tape = Tape.inference();
        INDArray probs = Tape.softmax(logits(tape, tape.constant(out.pooledOutput())).value());
        List<NextSentenceAnswer> answers = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            answers.add(new NextSentenceAnswer(probs.getDouble(i, 0), probs.getDouble(i, 1)));
        }
        return answers;
    }

    private static EncodeOptions options(int maxLength) {
        return new EncodeOptions(maxLength, Truncation.LONGEST_FIRST, 0, false, true);
    }

    /**
     * Labelled pairs. {@code format=pairs} (default): TSV lines {@code a<TAB>b<TAB>label} with label
     * {@code IsNext}/{@code NotNext} or BERT's 0 (is next) / 1 (not next). {@code format=corpus}: a text in
     * BERT's pre-training layout (one sentence per line, blank line between documents) from which balanced
     * pairs are drawn with {@code seed}: half real successors, half random sentences of another document.
     * {@code format=segments}: the same text, cut into multi-sentence segment pairs of up to {@code max_length}
     * tokens exactly as BERT's pre-training data (see {@link SentencePairs#segmentsFromCorpus}); options
     * {@code max_length} (default 128; also the length {@link #evaluate} encodes pairs with), {@code short_seq_prob}
     * (0.1), {@code seed}, {@code max_pairs}.
     */
    @Override
    public List<SentencePair> readExamples(Path file, Map<String, String> options) throws IOException {
        String format = options.getOrDefault("format", "pairs");
        if (options.containsKey("max_length")) {
            int maxLength = Integer.parseInt(options.get("max_length"));
            if (maxLength < 8 || maxLength > context.config().maxPositionEmbeddings()) {
                throw new IllegalArgumentException("max_length " + maxLength + " is outside [8, "
                        + context.config().maxPositionEmbeddings() + "]");
            }
            evalMaxLength = maxLength;
        }
        return switch (format) {
            case "pairs" -> SentencePairs.readTsv(file);
            case "corpus" -> SentencePairs.fromCorpus(file, Long.parseLong(options.getOrDefault("seed", "42")),
                    Integer.parseInt(options.getOrDefault("max_pairs", "1000000")));
            case "segments" -> SentencePairs.segmentsFromCorpus(file, context.tokenizer(),
                    Integer.parseInt(options.getOrDefault("max_length", Integer.toString(DEFAULT_MAX_LENGTH))),
                    Double.parseDouble(options.getOrDefault("short_seq_prob", "0.1")),
                    Long.parseLong(options.getOrDefault("seed", "42")),
                    Integer.parseInt(options.getOrDefault("max_pairs", "1000000")));
            default -> throw new IllegalArgumentException("unknown NSP data format '" + format
                    + "' (pairs, corpus or segments)");
        };
    }

    @Override
    public HeadBatch<SentencePair> encode(List<SentencePair> examples, int maxLength) {
        List<Encoding> encodings = new ArrayList<>();
        EncodeOptions options = options(maxLength);
        int[] labels = new int[examples.size()];
        for (int i = 0; i < examples.size(); i++) {
            SentencePair p = examples.get(i);
            encodings.add(context.tokenizer().encode(p.a(), p.b(), options));
            labels[i] = p.label();
        }
        return new HeadBatch<>(EncoderBatch.pad(encodings, context.tokenizer().vocabulary().padId()), examples, labels);
    }

    @Override
    public boolean usesSequenceOutput() {
        return false;
    }

    @Override
    public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<SentencePair> batch) {
        int[] labels = (int[]) batch.targets();
        Var logits = logits(tape, encoder.pooledOutput());
        return new HeadLoss(tape.softmaxCrossEntropy(logits, labels, null, 0),
                Map.of("nsp_accuracy", accuracy(logits.value(), labels)));
    }

    static double accuracy(INDArray logits, int[] labels) {
        INDArray argmax = logits.argMax(1);
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += argmax.getInt(i) == labels[i] ? 1 : 0;
        }
        return labels.length == 0 ? 0 : (double) right / labels.length;
    }

    @Override
    public Map<String, Double> evaluate(List<SentencePair> examples) {
        int right = 0;
        for (int from = 0; from < examples.size(); from += 32) {
            var batch = encode(examples.subList(from, Math.min(from + 32, examples.size())), evalMaxLength);
            EncoderOutputs out = context.encoder().encode(batch.input());
            Tape tape = Tape.inference();
            INDArray logits = logits(tape, tape.constant(out.pooledOutput())).value();
            right += (int) Math.round(accuracy(logits, (int[]) batch.targets()) * batch.examples().size());
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("nsp_accuracy", examples.isEmpty() ? 0 : (double) right / examples.size());
        m.put("pairs", (double) examples.size());
        return m;
    }
}
