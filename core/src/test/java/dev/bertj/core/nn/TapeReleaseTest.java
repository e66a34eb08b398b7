package dev.bertj.core.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Tape#release}: frees what the tape computed, never what it was given, and training goes on unchanged. */
class TapeReleaseTest {

    private final Parameter weight = Parameter.of("w", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3));
    private final Parameter bias = Parameter.of("b", Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4));
    private final INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, 3);
    private final INDArray shift = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, 4);
    private final int[] labels = {0, 1, 2, 3, 1};

    private record Step(double loss, Var input, Var hidden, Var reshaped) {
    }

    private Step step(boolean release) {
        Tape tape = Tape.training();
        Var in = tape.input(x);
        Var hidden = tape.gelu(tape.add(tape.linear(in, tape.param(weight), tape.param(bias)), tape.constant(shift)));
        Var reshaped = tape.reshape(hidden, 4, 5);
        Var logits = tape.reshape(reshaped, 5, 4);
        Var loss = tape.softmaxCrossEntropy(logits, labels, null, 0.1);
        tape.backward(loss);
        double value = loss.value().getDouble(0);
        if (release) {
            tape.release();
        }
        return new Step(value, in, hidden, reshaped);
    }

    @Test
    void freesComputedArraysAndKeepsGivenOnes() {
        INDArray xBefore = x.dup();
        INDArray shiftBefore = shift.dup();
        INDArray weightBefore = weight.value().dup();
        Step s = step(true);
        assertThat(s.hidden().value().wasClosed()).as("a computed value").isTrue();
        assertThat(s.input().ownGrad() == null || s.input().ownGrad().wasClosed()).as("the input's gradient").isTrue();
        assertThat(x.wasClosed()).isFalse();
        assertThat(shift.wasClosed()).isFalse();
        assertThat(weight.value().wasClosed()).isFalse();
        assertThat(weight.grad().wasClosed()).isFalse();
        assertThat(bias.grad().wasClosed()).isFalse();
        assertThat(x).isEqualTo(xBefore);
        assertThat(shift).isEqualTo(shiftBefore);
        assertThat(weight.value()).isEqualTo(weightBefore);
    }

    @Test
    void releasedStepsAccumulateTheSameGradientsAsUnreleasedOnes() {
        Step kept = step(false);
        INDArray once = weight.grad().dup();
        INDArray onceBias = bias.grad().dup();
        Step released = step(true);
        assertThat(released.loss()).isEqualTo(kept.loss());
        assertThat(weight.grad()).isEqualTo(once.mul(2));
        assertThat(bias.grad()).isEqualTo(onceBias.mul(2));
        step(true);
        assertThat(weight.grad().equalsWithEps(once.mul(3), 1e-6)).isTrue();
    }

    @Test
    void anInferenceTapeHasNothingToRelease() {
        Tape tape = Tape.inference();
        Var out = tape.gelu(tape.constant(x));
        tape.release();
        assertThat(out.value().wasClosed()).isFalse();
    }
}
