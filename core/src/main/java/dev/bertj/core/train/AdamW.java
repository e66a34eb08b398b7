package dev.bertj.core.train;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TensorStore;
import dev.bertj.core.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization"), in the two
 * forms BERT users meet:
 *
 * <ul>
 *   <li>{@link Variant#BERT}: google-research/bert's {@code AdamWeightDecayOptimizer} (optimization.py), the one
 *       BERT was pre-trained with. No bias correction, epsilon 1e-6, and the decay is added to the Adam update
 *       before the learning rate scales it:
 *       <pre>
 *       m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g^2
 *       p = p - lr (m / (sqrt(v) + eps) + wd p)</pre>
 *   <li>{@link Variant#TORCH}: PyTorch's {@code torch.optim.AdamW} (what Hugging Face fine-tuning uses). Bias
 *       correction, epsilon 1e-8, and the decay shrinks the weights first:
 *       <pre>
 *       p = p (1 - lr wd)
 *       m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g^2
 *       p = p - lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)</pre>
 * </ul>
 *
 * Weight decay applies only to parameters whose {@link Parameter#weightDecay()} is set (BERT exempts biases and
 * LayerNorm); frozen parameters ({@code !trainable()}) and parameters without a gradient buffer are skipped and get
 * no moments. The two moments are float32 arrays of the parameter's size, allocated on a parameter's first update
 * and never again: for BERT-base that is 2 x 440 MB, and the optimizer allocates nothing else per parameter.
 * Each step is one fused loop over the direct buffers of value, gradient and moments, split across cores.
 *
 * <p>Not thread-safe: one trainer drives one optimizer.
 */
public final class AdamW {

    /** Which published update rule; see the class comment. */
    public enum Variant {
        /** google-research/bert {@code AdamWeightDecayOptimizer}: no bias correction, eps 1e-6. */
        BERT,
        /** PyTorch {@code torch.optim.AdamW}: bias correction, eps 1e-8, decay applied to the weights first. */
        TORCH
    }

    /**
     * Hyper-parameters.
     *
     * @param weightDecay decoupled decay rate (BERT used 0.01), applied only where {@link Parameter#weightDecay()}
     */
    public record Options(Variant variant, double beta1, double beta2, double epsilon, double weightDecay) {

        public Options {
            if (variant == null) {
                throw new IllegalArgumentException("AdamW variant must be given (BERT or TORCH)");
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("AdamW epsilon must be positive, got " + epsilon);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("AdamW weight decay must be >= 0 and finite, got " + weightDecay);
            }
        }

        /** BERT's pre-training optimizer: betas 0.9/0.999, epsilon 1e-6, no bias correction. */
        public static Options bert(double weightDecay) {
            return new Options(Variant.BERT, 0.9, 0.999, 1e-6, weightDecay);
        }

        /** {@code torch.optim.AdamW} defaults: betas 0.9/0.999, epsilon 1e-8, bias correction. */
        public static Options torch(double weightDecay) {
            return new Options(Variant.TORCH, 0.9, 0.999, 1e-8, weightDecay);
        }
    }

    /** Names of the moment tensors in {@code optimizer.safetensors}, as PyTorch's state dict calls them. */
    public static final String FIRST_MOMENT_SUFFIX = ".exp_avg";
    public static final String SECOND_MOMENT_SUFFIX = ".exp_avg_sq";

    /** Per-parameter state: the moments and cached direct views (resolved once, reused every step). */
    private static final class Slot {
        final Parameter parameter;
        final FloatBuffer value;
        INDArray firstMoment;
        INDArray secondMoment;
        FloatBuffer m;
        FloatBuffer v;
        INDArray gradArray;
        FloatBuffer grad;

        Slot(Parameter parameter) {
            this.parameter = parameter;
            this.value = FloatBuffers.of(parameter.value(), parameter.name());
        }

        void allocateMoments() {
            long[] shape = parameter.value().shape();
            firstMoment = Nd4j.zeros(DataType.FLOAT, shape);
            secondMoment = Nd4j.zeros(DataType.FLOAT, shape);
            m = FloatBuffers.of(firstMoment, parameter.name() + FIRST_MOMENT_SUFFIX);
            v = FloatBuffers.of(secondMoment, parameter.name() + SECOND_MOMENT_SUFFIX);
        }
    }

    private final Options options;
    private final List<Slot> slots;
    private long step;

    /** The work split of the last step, rebuilt only when the set of updated parameters changes. */
    private Slot[] chunkSlot = new Slot[0];
    private int[] chunkFrom = new int[0];
    private int[] chunkTo = new int[0];
    private boolean[] lastActive = new boolean[0];

    // Coefficients of the current step, read by the chunk workers.
    private float lr;
    private float stepSize;
    private float bias2Sqrt;
    private float torchDecayFactor;

    /**
     * @param parameters every parameter of the model (frozen ones are skipped at each step, so freezing and
     *                   unfreezing later works); the same object listed twice (tied weights) counts once
     * @throws IllegalArgumentException if two different parameters share a name, or a value is not a contiguous
     *                                  float32 array
     */
    public AdamW(List<Parameter> parameters, Options options) {
        this.options = options;
        this.slots = new ArrayList<>();
        Map<Parameter, Boolean> seen = new IdentityHashMap<>();
        Map<String, Parameter> byName = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            if (seen.put(p, Boolean.TRUE) != null) {
                continue;
            }
            Parameter other = byName.put(p.name(), p);
            if (other != null) {
                throw new IllegalArgumentException("two different parameters are both named " + p.name());
            }
            slots.add(new Slot(p));
        }
    }

    public Options options() {
        return options;
    }

    /** Optimizer steps taken so far (PyTorch's {@code step}; the bias correction of step t uses t = this + 1). */
    public long stepCount() {
        return step;
    }

    /**
     * One update of every trainable parameter that has a gradient buffer, with learning rate {@code learningRate}.
     * The gradients are read, not cleared.
     */
    public void step(double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be >= 0 and finite, got " + learningRate);
        }
        prepareChunks();
        step++;
        lr = (float) learningRate;
        if (options.variant() == Variant.TORCH) {
            double bias1 = 1 - Math.pow(options.beta1(), step);
            double bias2 = 1 - Math.pow(options.beta2(), step);
            stepSize = (float) (learningRate / bias1);
            bias2Sqrt = (float) Math.sqrt(bias2);
            torchDecayFactor = (float) (1 - learningRate * options.weightDecay());
        }
        ParallelLoop.run(chunkSlot.length, this::updateChunk);
    }

    private void prepareChunks() {
        boolean changed = lastActive.length != slots.size();
        if (changed) {
            lastActive = new boolean[slots.size()];
        }
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            Parameter p = s.parameter;
            boolean active = p.trainable() && p.hasGrad();
            if (active) {
                if (s.firstMoment == null) {
                    s.allocateMoments();
                }
                INDArray g = p.grad();
                if (g != s.gradArray) {
                    s.grad = FloatBuffers.of(g, "gradient of " + p.name());
                    if (s.grad.capacity() != s.value.capacity()) {
                        throw new IllegalStateException("gradient of " + p.name() + " has " + s.grad.capacity()
                                + " elements, the parameter " + s.value.capacity());
                    }
                    s.gradArray = g;
                }
            }
            if (active != lastActive[i]) {
                lastActive[i] = active;
                changed = true;
            }
        }
        if (!changed) {
            return;
        }
        List<Slot> cs = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < slots.size(); i++) {
            if (!lastActive[i]) {
                continue;
            }
            Slot s = slots.get(i);
            int n = s.value.capacity();
            for (int from = 0; from < n; from += ParallelLoop.CHUNK) {
                cs.add(s);
                ranges.add(new int[] {from, Math.min(n, from + ParallelLoop.CHUNK)});
            }
        }
        chunkSlot = cs.toArray(new Slot[0]);
        chunkFrom = ranges.stream().mapToInt(r -> r[0]).toArray();
        chunkTo = ranges.stream().mapToInt(r -> r[1]).toArray();
    }

    private void updateChunk(int chunk) {
        Slot s = chunkSlot[chunk];
        boolean decay = s.parameter.weightDecay() && options.weightDecay() > 0;
        if (options.variant() == Variant.BERT) {
            updateBert(s, chunkFrom[chunk], chunkTo[chunk], decay ? (float) options.weightDecay() : 0f);
        } else {
            updateTorch(s, chunkFrom[chunk], chunkTo[chunk], decay ? torchDecayFactor : 1f);
        }
    }

    /** google-research/bert optimization.py, {@code AdamWeightDecayOptimizer.apply_gradients}. */
    private void updateBert(Slot s, int from, int to, float wd) {
        final float b1 = (float) options.beta1();
        final float c1 = (float) (1 - options.beta1());
        final float b2 = (float) options.beta2();
        final float c2 = (float) (1 - options.beta2());
        final float eps = (float) options.epsilon();
        final float lr = this.lr;
        float[][] staging = ParallelLoop.staging();
        float[] p = staging[0];
        float[] g = staging[1];
        float[] m = staging[2];
        float[] v = staging[3];
        for (int start = from; start < to; start += ParallelLoop.SLICE) {
            int n = Math.min(ParallelLoop.SLICE, to - start);
            s.value.get(start, p, 0, n);
            s.grad.get(start, g, 0, n);
            s.m.get(start, m, 0, n);
            s.v.get(start, v, 0, n);
            for (int i = 0; i < n; i++) {
                float gi = g[i];
                float mi = b1 * m[i] + c1 * gi;
                float vi = b2 * v[i] + c2 * gi * gi;
                m[i] = mi;
                v[i] = vi;
                float pi = p[i];
                p[i] = pi - lr * (mi / ((float) Math.sqrt(vi) + eps) + wd * pi);
            }
            s.value.put(start, p, 0, n);
            s.m.put(start, m, 0, n);
            s.v.put(start, v, 0, n);
        }
    }

    /** PyTorch {@code torch.optim.adamw} single-tensor path, in its order of operations. */
    private void updateTorch(Slot s, int from, int to, float decayFactor) {
        final float c1 = (float) (1 - options.beta1());
        final float b2 = (float) options.beta2();
        final float c2 = (float) (1 - options.beta2());
        final float eps = (float) options.epsilon();
        final float stepSize = this.stepSize;
        final float bias2Sqrt = this.bias2Sqrt;
        float[][] staging = ParallelLoop.staging();
        float[] p = staging[0];
        float[] g = staging[1];
        float[] m = staging[2];
        float[] v = staging[3];
        for (int start = from; start < to; start += ParallelLoop.SLICE) {
            int n = Math.min(ParallelLoop.SLICE, to - start);
            s.value.get(start, p, 0, n);
            s.grad.get(start, g, 0, n);
            s.m.get(start, m, 0, n);
            s.v.get(start, v, 0, n);
            for (int i = 0; i < n; i++) {
                float gi = g[i];
                float mOld = m[i];
                float mi = mOld + c1 * (gi - mOld); // exp_avg.lerp_(grad, 1 - beta1)
                float vi = v[i] * b2 + c2 * gi * gi; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
                m[i] = mi;
                v[i] = vi;
                float denom = (float) Math.sqrt(vi) / bias2Sqrt + eps;
                p[i] = p[i] * decayFactor - stepSize * (mi / denom);
            }
            s.value.put(start, p, 0, n);
            s.m.put(start, m, 0, n);
            s.v.put(start, v, 0, n);
        }
    }

    /**
     * The moments by checkpoint name ({@code <param>.exp_avg}, {@code <param>.exp_avg_sq}), for every parameter
     * updated so far, in parameter order. The arrays are the live state (not copies): write them, do not keep them.
     */
    public Map<String, INDArray> stateTensors() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Slot s : slots) {
            if (s.firstMoment != null) {
                out.put(s.parameter.name() + FIRST_MOMENT_SUFFIX, s.firstMoment);
                out.put(s.parameter.name() + SECOND_MOMENT_SUFFIX, s.secondMoment);
            }
        }
        return out;
    }

    /**
     * Restores the moments from a checkpoint's {@code optimizer.safetensors} and the step count from its
     * trainer state. Parameters without moments in the store start fresh (they had never been updated).
     *
     * @throws CheckpointException naming the store and tensor if a tensor belongs to no parameter, has the wrong
     *                             shape, or only one of a parameter's two moments is present
     */
    public void loadState(TensorStore store, long stepCount) {
        if (stepCount < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + stepCount);
        }
        Set<String> unclaimed = new TreeSet<>(store.names());
        for (Slot s : slots) {
            String first = s.parameter.name() + FIRST_MOMENT_SUFFIX;
            String second = s.parameter.name() + SECOND_MOMENT_SUFFIX;
            boolean hasFirst = store.contains(first);
            boolean hasSecond = store.contains(second);
            if (hasFirst != hasSecond) {
                throw new CheckpointException(store.source() + ": has " + (hasFirst ? first : second)
                        + " but not " + (hasFirst ? second : first));
            }
            if (!hasFirst) {
                continue;
            }
            checkShape(store, first, s.parameter);
            checkShape(store, second, s.parameter);
            if (s.firstMoment == null) {
                s.allocateMoments();
            }
            store.readFloats(first, s.m.duplicate().clear());
            store.readFloats(second, s.v.duplicate().clear());
            unclaimed.remove(first);
            unclaimed.remove(second);
        }
        if (!unclaimed.isEmpty()) {
            throw new CheckpointException(store.source() + ": optimizer state for unknown parameters " + unclaimed);
        }
        this.step = stepCount;
    }

    private static void checkShape(TensorStore store, String name, Parameter p) {
        TensorInfo info = store.info(name);
        if (!Arrays.equals(info.shape(), p.value().shape())) {
            throw new CheckpointException(store.source() + ": " + name + " has shape " + info.shapeString()
                    + ", parameter " + p.name() + " has " + Arrays.toString(p.value().shape()));
        }
    }

    /** Bytes held by the moments (what {@code optimizer.safetensors} will take). */
    public long stateBytes() {
        long n = 0;
        for (Slot s : slots) {
            if (s.firstMoment != null) {
                n += 8L * s.value.capacity();
            }
        }
        return n;
    }
}
