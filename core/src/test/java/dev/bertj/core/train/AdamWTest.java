package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TensorStore;
import dev.bertj.core.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamWTest {

    private static final int STEPS = 6;

    /** Gradients of mixed signs and magnitudes (1e-9 .. 1), so that epsilon and the decay both matter. */
    private static double grad(int t, int i) {
        return Math.sin(1.3 * i + 0.7 * t + 0.2) * Math.pow(10, -(i % 4) * 3 + (t % 2));
    }

    private static double lr(int t) {
        return 1e-3 * (t + 1) / STEPS;
    }

    private static Parameter param(String name, boolean decay, double... init) {
        float[] f = new float[init.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) init[i];
        }
        return new Parameter(name, Nd4j.createFromArray(f).reshape(init.length == 6 ? new long[] {2, 3} : new long[] {init.length}), decay);
    }

    /**
     * The published update rules, written out independently in double: google-research/bert optimization.py
     * (AdamWeightDecayOptimizer.apply_gradients) and the torch.optim.AdamW documentation's algorithm box.
     */
    private static double[] reference(AdamW.Variant variant, double[] p0, boolean decay, double wd, int offset) {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = variant == AdamW.Variant.BERT ? 1e-6 : 1e-8;
        double[] p = p0.clone();
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        for (int t = 0; t < STEPS; t++) {
            double lr = lr(t);
            for (int i = 0; i < p.length; i++) {
                double g = grad(t, i + offset);
                if (variant == AdamW.Variant.BERT) {
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double update = m[i] / (Math.sqrt(v[i]) + eps);
                    if (decay) {
                        update += wd * p[i];
                    }
                    p[i] -= lr * update;
                } else {
                    if (decay) {
                        p[i] *= 1 - lr * wd;
                    }
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double mHat = m[i] / (1 - Math.pow(b1, t + 1));
                    double vHat = v[i] / (1 - Math.pow(b2, t + 1));
                    p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
            }
        }
        return p;
    }

    private static void checkAgainstReference(AdamW.Variant variant) {
        double wd = 0.3; // large, so that a decay applied to the wrong parameters shows
        double[] w0 = {0.5, -0.25, 0.125, 2.0, -1.5, 0.01};
        double[] b0 = {0.1, -0.2, 0.3};
        double[] f0 = {1.0, -1.0};
        Parameter w = param("dense.weight", true, w0);
        Parameter b = param("dense.bias", false, b0);
        Parameter frozen = param("frozen.weight", true, f0);
        frozen.setTrainable(false);
        Parameter untouched = param("unused.weight", true, 1.0, 2.0);
        AdamW.Options options = variant == AdamW.Variant.BERT ? AdamW.Options.bert(wd) : AdamW.Options.torch(wd);
        AdamW adam = new AdamW(List.of(w, b, frozen, untouched), options);

        for (int t = 0; t < STEPS; t++) {
            for (int i = 0; i < 6; i++) {
                w.grad().putScalar(i, (float) grad(t, i));
            }
            for (int i = 0; i < 3; i++) {
                b.grad().putScalar(i, (float) grad(t, i + 6));
            }
            for (int i = 0; i < 2; i++) {
                frozen.grad().putScalar(i, (float) grad(t, i));
            }
            adam.step(lr(t));
        }

        assertClose(w.value(), reference(variant, w0, true, wd, 0));
        assertClose(b.value(), reference(variant, b0, false, wd, 6));
        assertThat(frozen.value().toDoubleVector()).containsExactly(f0);
        assertThat(untouched.value().toDoubleVector()).containsExactly(1.0, 2.0);
        assertThat(untouched.hasGrad()).isFalse();
        assertThat(adam.stepCount()).isEqualTo(STEPS);
        assertThat(adam.stateTensors().keySet()).containsExactly(
                "dense.weight.exp_avg", "dense.weight.exp_avg_sq", "dense.bias.exp_avg", "dense.bias.exp_avg_sq");
        assertThat(adam.stateBytes()).isEqualTo(8L * 9);
    }

    private static void assertClose(INDArray actual, double[] expected) {
        double[] a = actual.reshape(-1).toDoubleVector();
        assertThat(a).hasSize(expected.length);
        for (int i = 0; i < a.length; i++) {
            // float32 arithmetic against a double reference: a few ulps of the value plus a few of the update.
            assertThat(a[i]).as("element %d", i).isCloseTo(expected[i],
                    org.assertj.core.data.Offset.offset(2e-6 * Math.abs(expected[i]) + 1e-8));
        }
    }

    @Test
    void bertVariantFollowsAdamWeightDecayOptimizer() {
        checkAgainstReference(AdamW.Variant.BERT);
    }

    @Test
    void torchVariantFollowsTorchOptimAdamW() {
        checkAgainstReference(AdamW.Variant.TORCH);
    }

    /**
     * The first step's size is a closed form, independent of any implementation: with bias correction
     * m^/sqrt(v^) = g/|g|, so the parameter moves by lr; without it (BERT) the move is lr (1-b1)/sqrt(1-b2) = 3.1623 lr.
     */
    @Test
    void firstStepSizesAreTheKnownClosedForms() {
        for (AdamW.Variant variant : AdamW.Variant.values()) {
            Parameter p = new Parameter("x.bias", Nd4j.createFromArray(1f, 1f, 1f), false);
            p.grad().assign(Nd4j.createFromArray(0.5f, -3f, 0.01f));
            AdamW adam = new AdamW(List.of(p), new AdamW.Options(variant, 0.9, 0.999, 1e-12, 0.0));
            adam.step(0.01);
            double expectedMove = variant == AdamW.Variant.TORCH ? 0.01 : 0.01 * 0.1 / Math.sqrt(0.001);
            double[] v = p.value().toDoubleVector();
            assertThat(1 - v[0]).isCloseTo(expectedMove, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(v[1] - 1).isCloseTo(expectedMove, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(1 - v[2]).isCloseTo(expectedMove, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    /** Large tensors go through the multi-chunk, multi-core path; the result must not depend on the split. */
    @Test
    void largeTensorsSplitAcrossChunksGiveTheSameResultAsSmallOnes() {
        int n = 3 * ParallelLoop.CHUNK + 17;
        float[] init = new float[n];
        for (int i = 0; i < n; i++) {
            init[i] = (float) Math.cos(i);
        }
        Parameter big = new Parameter("big.weight", Nd4j.createFromArray(init), true);
        AdamW adam = new AdamW(List.of(big), AdamW.Options.torch(0.01));
        // Element-wise reference: each element of a one-element parameter runs its own optimizer.
        int[] probes = {0, ParallelLoop.CHUNK - 1, ParallelLoop.CHUNK, 2 * ParallelLoop.CHUNK + 5, n - 1};
        Parameter[] single = new Parameter[probes.length];
        AdamW[] singleAdam = new AdamW[probes.length];
        for (int k = 0; k < probes.length; k++) {
            single[k] = new Parameter("p" + k + ".weight", Nd4j.createFromArray(init[probes[k]]), true);
            singleAdam[k] = new AdamW(List.of(single[k]), AdamW.Options.torch(0.01));
        }
        for (int t = 0; t < 3; t++) {
            FloatBuffer g = FloatBuffers.of(big.grad(), "g");
            for (int i = 0; i < n; i++) {
                g.put(i, (float) grad(t, i));
            }
            adam.step(1e-3);
            for (int k = 0; k < probes.length; k++) {
                single[k].grad().putScalar(0, (float) grad(t, probes[k]));
                singleAdam[k].step(1e-3);
            }
        }
        for (int k = 0; k < probes.length; k++) {
            assertThat(big.value().getFloat(probes[k])).isEqualTo(single[k].value().getFloat(0));
        }
    }

    /**
     * Memory: the moments are the only per-parameter allocation (2 x 4 bytes per element, made at the first step);
     * later steps allocate nothing that grows with the model, on the heap or off it.
     */
    @Test
    void stepsAllocateNothingPerParameterAfterTheMoments() {
        List<Parameter> params = new java.util.ArrayList<>();
        for (int t = 0; t < 40; t++) {
            Parameter p = new Parameter("layer" + t + ".weight", Nd4j.zeros(DataType.FLOAT, 100_000), true);
            p.grad().assign(0.001f * (t + 1));
            params.add(p);
        }
        AdamW adam = new AdamW(params, AdamW.Options.torch(0.01));
        adam.step(1e-3);
        assertThat(adam.stateBytes()).isEqualTo(8L * 40 * 100_000);
        assertThat(adam.stateTensors()).hasSize(80);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long rss0 = org.bytedeco.javacpp.Pointer.physicalBytes();
        long heap0 = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 5; i++) {
            adam.step(1e-3);
        }
        long heap = threads.getCurrentThreadAllocatedBytes() - heap0;
        long rss = org.bytedeco.javacpp.Pointer.physicalBytes() - rss0;
        // 40 tensors of 400 KB: a copy of any one of them per step would show as >= 2 MB on the heap over 5
        // steps, and an off-heap temporary of the whole model (16 MB) per step as ~80 MB of resident memory.
        assertThat(heap).as("heap bytes allocated by 5 steps").isLessThan(256 * 1024);
        assertThat(rss).as("resident bytes added by 5 steps").isLessThan(24L * 1024 * 1024);
    }

    @Test
    void stateRoundTripsThroughATensorStore() {
        Parameter w1 = param("a.weight", true, 0.5, -0.25, 0.125, 2.0, -1.5, 0.01);
        Parameter w2 = param("a.weight", true, 0.5, -0.25, 0.125, 2.0, -1.5, 0.01);
        AdamW first = new AdamW(List.of(w1), AdamW.Options.torch(0.01));
        AdamW second = new AdamW(List.of(w2), AdamW.Options.torch(0.01));
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 6; i++) {
                w1.grad().putScalar(i, (float) grad(t, i));
            }
            first.step(1e-2);
        }
        w2.value().assign(w1.value());
        second.loadState(new MapStore(first.stateTensors()), first.stepCount());
        for (int i = 0; i < 6; i++) {
            w1.grad().putScalar(i, (float) grad(3, i));
            w2.grad().putScalar(i, (float) grad(3, i));
        }
        first.step(1e-2);
        second.step(1e-2);
        assertThat(w2.value().reshape(-1).toFloatVector()).containsExactly(w1.value().reshape(-1).toFloatVector());

        Map<String, INDArray> bad = new LinkedHashMap<>(first.stateTensors());
        bad.remove("a.weight.exp_avg_sq");
        assertThatThrownBy(() -> second.loadState(new MapStore(bad), 1))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("a.weight.exp_avg");
        Map<String, INDArray> unknown = new LinkedHashMap<>(first.stateTensors());
        unknown.put("b.weight.exp_avg", Nd4j.zeros(DataType.FLOAT, 2));
        assertThatThrownBy(() -> second.loadState(new MapStore(unknown), 1))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("b.weight.exp_avg");
        Map<String, INDArray> wrongShape = new LinkedHashMap<>();
        wrongShape.put("a.weight.exp_avg", Nd4j.zeros(DataType.FLOAT, 6));
        wrongShape.put("a.weight.exp_avg_sq", Nd4j.zeros(DataType.FLOAT, 6));
        assertThatThrownBy(() -> second.loadState(new MapStore(wrongShape), 1))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("shape");
    }

    @Test
    void refusesBadInput() {
        Parameter a = param("x.weight", true, 1, 2);
        Parameter b = param("x.weight", true, 1, 2);
        assertThatThrownBy(() -> new AdamW(List.of(a, b), AdamW.Options.bert(0.01)))
                .hasMessageContaining("x.weight");
        assertThat(new AdamW(List.of(a, a), AdamW.Options.bert(0.01))).isNotNull(); // tied: the same object twice
        assertThatThrownBy(() -> new AdamW.Options(AdamW.Variant.BERT, 1.0, 0.999, 1e-6, 0))
                .hasMessageContaining("betas");
        assertThatThrownBy(() -> new AdamW.Options(AdamW.Variant.BERT, 0.9, 0.999, 0, 0))
                .hasMessageContaining("epsilon");
        assertThatThrownBy(() -> new AdamW(List.of(a), AdamW.Options.bert(0.01)).step(Double.NaN))
                .hasMessageContaining("learning rate");
        Parameter doubles = new Parameter("d.weight", Nd4j.zeros(DataType.DOUBLE, 2), true);
        assertThatThrownBy(() -> new AdamW(List.of(doubles), AdamW.Options.bert(0.01)))
                .hasMessageContaining("d.weight").hasMessageContaining("float32");
    }

    /** A TensorStore over in-memory arrays, standing in for optimizer.safetensors. */
    static final class MapStore implements TensorStore {
        private final Map<String, INDArray> tensors;

        MapStore(Map<String, INDArray> tensors) {
            this.tensors = new LinkedHashMap<>();
            tensors.forEach((k, v) -> this.tensors.put(k, v.dup()));
        }

        @Override
        public String source() {
            return "memory";
        }

        @Override
        public Set<String> names() {
            return tensors.keySet();
        }

        @Override
        public TensorInfo info(String name) {
            INDArray a = tensors.get(name);
            if (a == null) {
                throw new CheckpointException("memory: no tensor " + name);
            }
            return new TensorInfo(name, DType.F32, a.shape());
        }

        @Override
        public void readFloats(String name, FloatBuffer dst) {
            dst.put(tensors.get(name).reshape(-1).toFloatVector());
        }

        @Override
        public void close() {
        }
    }
}
