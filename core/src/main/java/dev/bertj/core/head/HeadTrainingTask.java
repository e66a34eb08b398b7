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
import java.util.Arrays;
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
    /** Outputs of the frozen encoder per example (see {@link #trainFrozen}). */
    private final Map<E, Frozen> frozenCache = new IdentityHashMap<>();
    private final long maxCachedFloats = Runtime.getRuntime().maxMemory() / Float.BYTES / 2;
    private long cachedFloats;

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
        return trainFrozen(batch, lossScale);
    }

    /** What the frozen encoder gave for one example: its pooled vector and, if the head reads them, its real tokens' rows. */
    private record Frozen(float[] pooled, float[] sequence) {
        long floats() {
            return (pooled == null ? 0 : pooled.length) + (sequence == null ? 0 : sequence.length);
        }
    }

    /**
     * The frozen encoder is a fixed function (no dropout, no updates), so each example's outputs are computed the
     * first time it is seen and reused in later epochs: many epochs of a head cost one encoder pass per example.
     * Only what the head reads is kept (the pooled vector; the real tokens' rows of the sequence output if
     * {@link TaskHead#usesSequenceOutput()}); padded rows of a batch made from the cache are zero, which a head
     * that masks padding (as every head must) cannot tell apart. The cache holds at most half the heap; beyond that
     * the encoder runs again for the examples that did not fit.
     */
    private StepResult trainFrozen(HeadBatch<E> batch, float lossScale) {
        boolean wantsSequence = head.usesSequenceOutput();
        List<E> examples = batch.examples();
        EncoderBatch input = batch.input();
        int n = examples.size();
        int seqLen = input.seqLen();
        int h = model.config().hiddenSize();
        Frozen[] cached = new Frozen[n];
        boolean complete = true;
        for (int i = 0; i < n && complete; i++) {
            cached[i] = frozenCache.get(examples.get(i));
            complete = cached[i] != null;
        }
        float[] sequence = wantsSequence ? new float[n * seqLen * h] : null;
        float[] pooled = model.hasPooler() ? new float[n * h] : null;
        if (complete) {
            for (int i = 0; i < n; i++) {
                if (sequence != null) {
                    System.arraycopy(cached[i].sequence(), 0, sequence, i * seqLen * h, cached[i].sequence().length);
                }
                if (pooled != null) {
                    System.arraycopy(cached[i].pooled(), 0, pooled, i * h, h);
                }
            }
        } else {
            EncoderOutput out = model.forward(input.toEncoderInput());
            float[] last = out.lastHiddenState();
            if (sequence != null) {
                System.arraycopy(last, 0, sequence, 0, sequence.length);
            }
            for (int i = 0; i < n; i++) {
                if (pooled != null) {
                    System.arraycopy(out.pooled(i), 0, pooled, i * h, h);
                }
                int len = realLength(input.attentionMask()[i]);
                if (len < 0 || frozenCache.containsKey(examples.get(i))) {
                    continue; // not right-padded: cannot be cut out of a batch of another length
                }
                Frozen f = new Frozen(pooled == null ? null : Arrays.copyOfRange(pooled, i * h, (i + 1) * h),
                        sequence == null ? null : Arrays.copyOfRange(last, i * seqLen * h, (i * seqLen + len) * h));
                if (cachedFloats + f.floats() <= maxCachedFloats) {
                    frozenCache.put(examples.get(i), f);
                    cachedFloats += f.floats();
                }
            }
        }
        Tape tape = Tape.training();
        Var seqVar = sequence == null ? null : tape.constant(Nd4j.create(sequence, new long[] {(long) n * seqLen, h}, 'c'));
        Var pooledVar = pooled == null ? null : tape.constant(Nd4j.create(pooled, new long[] {n, h}, 'c'));
        HeadLoss loss = head.loss(tape, new EncoderVars(input, seqVar, pooledVar), batch);
        tape.backward(tape.scale(loss.loss(), lossScale));
        double value = loss.loss().value().getDouble(0);
        tape.release();
        return new StepResult(value, loss.metrics(), input.tokenCount());
    }

    /** The number of leading ones of a mask whose rest is zeros, or -1 if it is not of that shape. */
    private static int realLength(int[] mask) {
        int len = 0;
        while (len < mask.length && mask[len] != 0) {
            len++;
        }
        for (int t = len; t < mask.length; t++) {
            if (mask[t] != 0) {
                return -1;
            }
        }
        return len;
    }

    /** Examples whose frozen-encoder outputs are cached (for tests). */
    int cachedExamples() {
        return frozenCache.size();
    }

    private StepResult trainWithEncoder(HeadBatch<E> batch, float lossScale) {
        return EncoderBackprop.step(model, head, batch, lossScale, dropout);
    }
}
