package dev.bertj.core.head;

import dev.bertj.core.model.BertActivations;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.train.StepResult;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * One fine-tuning step through the head and the encoder: the encoder's training forward (dropout on) into a
 * training workspace, the head's loss on a {@link Tape} whose inputs view the workspace's sequence and pooled
 * outputs (no copies), the tape's backward, then the encoder's own backward from the gradients the tape left on
 * those inputs.
 */
final class EncoderBackprop {

    /** One training workspace per model per thread (training a model is one thread's job at a time). */
    private static final ThreadLocal<Map<BertModel, BertActivations>> WORKSPACES =
            ThreadLocal.withInitial(WeakHashMap::new);

    private EncoderBackprop() {
    }

    static <E> StepResult step(BertModel model, TaskHead<?, ?, E> head, HeadBatch<E> batch, float lossScale, Rng dropout) {
        EncoderInput input = batch.input().toEncoderInput();
        BertActivations act = WORKSPACES.get().computeIfAbsent(model, m -> m.newActivations(true));
        model.forward(input, act, dropout);
        int h = model.config().hiddenSize();
        Tape tape = Tape.training();
        Var sequence = tape.input(rows(act.lastHiddenState(), input.tokens(), h));
        Var pooled = model.hasPooler() ? tape.input(rows(act.pooledOutput(), input.batch(), h)) : null;
        HeadLoss loss = head.loss(tape, new EncoderVars(batch.input(), sequence, pooled), batch);
        tape.backward(tape.scale(loss.loss(), lossScale));
        model.backward(act, floats(sequence.grad()), pooled == null ? null : floats(pooled.grad()));
        double value = loss.loss().value().getDouble(0);
        tape.release();
        return new StepResult(value, loss.metrics(), batch.input().tokenCount());
    }

    /** The first {@code rows} rows of a workspace buffer as a [rows, h] matrix view. */
    private static INDArray rows(Floats buffer, int rows, int h) {
        INDArray flat = buffer.array();
        return flat.get(NDArrayIndex.interval(0, (long) rows * h)).reshape('c', rows, h);
    }

    /** A gradient as the contiguous float32 memory the encoder's backward reads; null when none flowed. */
    private static Floats floats(INDArray grad) {
        if (grad == null) {
            return null;
        }
        INDArray g = grad.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT ? grad
                : grad.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        if (g.ordering() != 'c' || g.elementWiseStride() != 1 || g.isView()) {
            g = g.dup('c');
        }
        return Floats.of(g);
    }
}
