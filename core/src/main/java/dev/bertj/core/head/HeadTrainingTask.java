package dev.bertj.core.head;

import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderOutput;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.train.StepResult;
import dev.bertj.core.train.TrainingTask;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fine-tuning as the BERT paper describes it: the encoder's outputs feed a task head; the head's loss is
 * differentiated on a tape, and (unless the encoder is frozen) its gradient with respect to the encoder's outputs
 * continues through the encoder's own backward pass. Only the head starts from scratch.
 *
 * @param <E> the head's example type
 */
public final class HeadTrainingTask<E> implements TrainingTask<HeadBatch<E>> {

    private final BertModel model;
    private final TaskHead<?, ?, E> head;
    private final boolean freezeEncoder;
    private final List<Parameter> parameters = new ArrayList<>();
    private final Rng dropout;
    /** Pooled outputs of the frozen encoder per example (see {@link #trainOnPooled}). */
    private final Map<E, float[]> pooledCache = new IdentityHashMap<>();
    static final long MAX_CACHED_FLOATS = 256L << 20; // 1 GiB

    public HeadTrainingTask(BertModel model, TaskHead<?, ?, E> head, boolean freezeEncoder, long seed) {
        this.model = model;
        this.head = head;
        this.freezeEncoder = freezeEncoder;
        this.dropout = new Rng(seed);
        for (Parameter p : model.parameters()) {
            if (!p.name().startsWith("cls.")) {
                p.setTrainable(!freezeEncoder);
                parameters.add(p);
            }
        }
        for (Parameter p : head.parameters()) {
            if (!parameters.contains(p)) {
                parameters.add(p);
            }
        }
        if (freezeEncoder) {
            // A head tied to an encoder tensor (the MLM decoder to the word embeddings) keeps it frozen too.
            for (Parameter p : head.parameters()) {
                p.setTrainable(true);
            }
        }
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    public TaskHead<?, ?, E> head() {
        return head;
    }

    @Override
    public Map<String, Rng> rngs() {
        return Map.of("dropout", dropout);
    }

    @Override
    public StepResult trainStep(HeadBatch<E> batch, float lossScale) {
        if (!freezeEncoder) {
            return trainWithEncoder(batch, lossScale);
        }
        if (!head.usesSequenceOutput() && model.hasPooler()) {
            return trainOnPooled(batch, lossScale);
        }
        EncoderOutput out = model.forward(batch.input().toEncoderInput());
        Tape tape = Tape.training();
        int h = out.hiddenSize();
        Var sequence = tape.constant(Nd4j.create(out.lastHiddenState(),
                new long[] {(long) out.batch() * out.seqLen(), h}, 'c'));
        Var pooled = out.hasPooler() ? tape.constant(pooledMatrix(out)) : null;
        HeadLoss loss = head.loss(tape, new EncoderVars(batch.input(), sequence, pooled), batch);
        tape.backward(tape.scale(loss.loss(), lossScale));
        return new StepResult(loss.loss().value().getDouble(0), loss.metrics(), batch.input().tokenCount());
    }

    /**
     * The frozen encoder is a fixed function, so a head that reads only the pooled output needs each example's
     * pooled vector once: it is computed the first time the example is seen and reused in later epochs (at most
     * {@link #MAX_CACHED_FLOATS} floats are kept; beyond that the encoder runs again).
     */
    private StepResult trainOnPooled(HeadBatch<E> batch, float lossScale) {
        List<E> examples = batch.examples();
        int n = examples.size();
        float[][] rows = new float[n][];
        boolean complete = true;
        for (int i = 0; i < n && complete; i++) {
            rows[i] = pooledCache.get(examples.get(i));
            complete = rows[i] != null;
        }
        if (!complete) {
            EncoderOutput out = model.forward(batch.input().toEncoderInput());
            for (int i = 0; i < n; i++) {
                rows[i] = out.pooled(i).clone();
                if ((long) (pooledCache.size() + 1) * rows[i].length <= MAX_CACHED_FLOATS) {
                    pooledCache.put(examples.get(i), rows[i]);
                }
            }
        }
        int h = rows[0].length;
        float[] all = new float[n * h];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, all, i * h, h);
        }
        Tape tape = Tape.training();
        Var pooled = tape.constant(Nd4j.create(all, new long[] {n, h}, 'c'));
        HeadLoss loss = head.loss(tape, new EncoderVars(batch.input(), null, pooled), batch);
        tape.backward(tape.scale(loss.loss(), lossScale));
        return new StepResult(loss.loss().value().getDouble(0), loss.metrics(), batch.input().tokenCount());
    }

    /** Examples whose pooled output is cached (for tests). */
    int cachedExamples() {
        return pooledCache.size();
    }

    private StepResult trainWithEncoder(HeadBatch<E> batch, float lossScale) {
        return EncoderBackprop.step(model, head, batch, lossScale, dropout);
    }

    static org.nd4j.linalg.api.ndarray.INDArray pooledMatrix(EncoderOutput out) {
        int h = out.hiddenSize();
        float[] all = new float[out.batch() * h];
        for (int b = 0; b < out.batch(); b++) {
            System.arraycopy(out.pooled(b), 0, all, b * h, h);
        }
        return Nd4j.create(all, new long[] {out.batch(), h}, 'c');
    }
}
