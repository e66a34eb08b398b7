package dev.bertj.core.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every tape op's backward against central finite differences, in float64 so that the check is tight
 * (relative error below 1e-6 where float32 could only promise ~1e-3).
 */
class TapeGradientTest {

    private static final double H = 1e-6;
    private final Random random = new Random(7);

    private Parameter param(String name, long... shape) {
        INDArray v = Nd4j.create(DataType.DOUBLE, shape);
        INDArray flat = v.reshape(v.length());
        for (long i = 0; i < v.length(); i++) {
            flat.putScalar(i, random.nextGaussian() * 0.5);
        }
        return new Parameter(name, v, true);
    }

    /** Compares the tape's gradient of every parameter with central differences of the loss. */
    private void check(List<Parameter> params, Function<Tape, Var> lossFn) {
        for (Parameter p : params) {
            if (p.hasGrad()) {
                p.grad().assign(0);
            }
        }
        Tape tape = Tape.training();
        tape.backward(lossFn.apply(tape));
        for (Parameter p : params) {
            INDArray analytic = p.grad().dup();
            INDArray flat = p.value().reshape(p.value().length());
            INDArray aflat = analytic.reshape(analytic.length());
            double maxRel = 0;
            for (long i = 0; i < flat.length(); i++) {
                double old = flat.getDouble(i);
                flat.putScalar(i, old + H);
                double plus = lossFn.apply(Tape.inference()).value().getDouble(0);
                flat.putScalar(i, old - H);
                double minus = lossFn.apply(Tape.inference()).value().getDouble(0);
                flat.putScalar(i, old);
                double numeric = (plus - minus) / (2 * H);
                double a = aflat.getDouble(i);
                double rel = Math.abs(a - numeric) / Math.max(1e-6, Math.abs(a) + Math.abs(numeric));
                maxRel = Math.max(maxRel, rel);
            }
            assertThat(maxRel).as("relative gradient error of %s", p.name()).isLessThan(1e-5);
        }
    }

    @Test
    void denseLayerNormGeluTanhAndCrossEntropy() {
        Parameter x = param("x", 5, 4);
        Parameter w1 = param("w1.weight", 6, 4);
        Parameter b1 = param("w1.bias", 6);
        Parameter g = param("ln.weight", 6);
        Parameter b = param("ln.bias", 6);
        Parameter w2 = param("w2.weight", 3, 6);
        int[] labels = {0, 2, -1, 1, 2};
        float[] classWeights = {1f, 2f, 0.5f};
        check(List.of(x, w1, b1, g, b, w2), t -> {
            Var h = t.linear(t.param(x), t.param(w1), t.param(b1));
            h = t.layerNorm(h, t.param(g), t.param(b), 1e-12);
            h = t.gelu(h);
            h = t.tanh(h);
            Var logits = t.linear(h, t.param(w2), null);
            return t.softmaxCrossEntropy(logits, labels, classWeights, 0.1);
        });
    }

    @Test
    void matmulInEveryTransposition() {
        Parameter a = param("a", 3, 4);
        Parameter b = param("b", 4, 5);
        Parameter at = param("at", 4, 3);
        Parameter bt = param("bt", 5, 4);
        Parameter target = param("t", 3, 5);
        check(List.of(a, b, at, bt), t -> {
            Var y = t.add(t.matmul(t.param(a), t.param(b), false, false),
                    t.matmul(t.param(at), t.param(bt), true, true));
            y = t.add(y, t.matmul(t.param(a), t.param(bt), false, true));
            y = t.add(y, t.matmul(t.param(at), t.param(b), true, false));
            return t.sigmoidCrossEntropy(y, Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(target.value().dup())));
        });
    }

    @Test
    void attentionWithPaddingAndCausalMask() {
        int batch = 2;
        int len = 3;
        int heads = 2;
        Parameter q = param("q", batch * len, 4);
        Parameter k = param("k", batch * len, 4);
        Parameter v = param("v", batch * len, 4);
        Parameter w = param("w", 2, 4);
        int[][] keyMask = {{1, 1, 1}, {1, 1, 0}};
        int[] labels = {0, 1, 1, 0, -1, 1};
        for (boolean causal : new boolean[] {false, true}) {
            check(List.of(q, k, v, w), t -> {
                Var ctx = t.attention(t.param(q), t.param(k), t.param(v), batch, heads, keyMask, causal, 0, null);
                return t.softmaxCrossEntropy(t.linear(ctx, t.param(w), null), labels, null, 0);
            });
        }
    }

    @Test
    void paddedKeysChangeNothing() {
        // A padded key must not influence any real query: changing its value leaves the output identical.
        int batch = 1;
        Parameter q = param("q", 3, 4);
        Parameter k = param("k", 3, 4);
        Parameter v = param("v", 3, 4);
        int[][] mask = {{1, 1, 0}};
        INDArray before = Tape.inference().attention(Tape.inference().param(q), Tape.inference().param(k),
                Tape.inference().param(v), batch, 2, mask, false, 0, null).value().dup();
        v.value().getRow(2).assign(100);
        k.value().getRow(2).assign(-50);
        INDArray after = Tape.inference().attention(Tape.inference().param(q), Tape.inference().param(k),
                Tape.inference().param(v), batch, 2, mask, false, 0, null).value();
        assertThat(after.sub(before).amaxNumber().doubleValue()).isLessThan(1e-12);
    }

    @Test
    void rowsColumnsReshapeAndRelu() {
        Parameter x = param("x", 4, 6);
        Parameter w = param("w", 3, 6);
        int[] pick = {3, 0, 3};
        check(List.of(x, w), t -> {
            Var r = t.rows(t.param(x), pick);
            Var c = t.columns(t.relu(t.linear(r, t.param(w), null)), 1, 3);
            Var flat = t.reshape(c, 1, 6);
            Var back = t.reshape(flat, 3, 2);
            return t.softmaxCrossEntropy(t.scale(back, 1.5), new int[] {0, 1, 1}, null, 0);
        });
    }

    @Test
    void accumulatesAcrossBackwardCalls() {
        Parameter x = param("x", 2, 3);
        Parameter w = param("w", 2, 3);
        List<Double> grads = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Tape t = Tape.training();
            t.backward(t.softmaxCrossEntropy(t.linear(t.param(x), t.param(w), null), new int[] {0, 1}, null, 0));
            grads.add(w.grad().getDouble(0, 0));
        }
        assertThat(grads.get(1)).isCloseTo(2 * grads.get(0), org.assertj.core.data.Offset.offset(1e-12));
    }
}
