package dev.bertj.core.train;

import dev.bertj.core.nn.Parameter;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Clipping by global norm, with TensorFlow's {@code clip_by_global_norm} semantics (BERT clips at 1.0): the norm is
 * taken over the gradients of all trainable parameters together, and if it exceeds {@code maxNorm} every gradient
 * is multiplied by {@code maxNorm / norm}. Sums are in double, chunks run on all cores.
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** The global L2 norm of the gradients of the trainable parameters that have a gradient buffer. */
    public static double globalNorm(List<Parameter> parameters) {
        List<FloatBuffer> grads = gradients(parameters);
        int[][] chunks = chunks(grads);
        double[] partial = new double[chunks.length];
        ParallelLoop.run(chunks.length, c -> {
            FloatBuffer g = grads.get(chunks[c][0]);
            double sum = 0;
            for (int i = chunks[c][1], end = chunks[c][2]; i < end; i++) {
                double x = g.get(i);
                sum += x * x;
            }
            partial[c] = sum;
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return Math.sqrt(total);
    }

    /**
     * Scales the gradients so that their global norm is at most {@code maxNorm}.
     *
     * @return the global norm before clipping (NaN or infinite if a gradient is; the gradients are then left as
     *         they are, and the caller decides what a non-finite step means)
     */
    public static double clipByGlobalNorm(List<Parameter> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max gradient norm must be positive, got " + maxNorm);
        }
        double norm = globalNorm(parameters);
        if (norm > maxNorm && Double.isFinite(norm)) {
            float scale = (float) (maxNorm / norm);
            List<FloatBuffer> grads = gradients(parameters);
            int[][] chunks = chunks(grads);
            ParallelLoop.run(chunks.length, c -> {
                FloatBuffer g = grads.get(chunks[c][0]);
                for (int i = chunks[c][1], end = chunks[c][2]; i < end; i++) {
                    g.put(i, g.get(i) * scale);
                }
            });
        }
        return norm;
    }

    private static List<FloatBuffer> gradients(List<Parameter> parameters) {
        Map<Parameter, Boolean> seen = new IdentityHashMap<>();
        List<FloatBuffer> out = new ArrayList<>();
        for (Parameter p : parameters) {
            if (p.trainable() && p.hasGrad() && seen.put(p, Boolean.TRUE) == null) {
                out.add(FloatBuffers.of(p.grad(), "gradient of " + p.name()));
            }
        }
        return out;
    }

    /** {tensor index, from, to} per chunk. */
    private static int[][] chunks(List<FloatBuffer> grads) {
        List<int[]> out = new ArrayList<>();
        for (int t = 0; t < grads.size(); t++) {
            int n = grads.get(t).capacity();
            for (int from = 0; from < n; from += ParallelLoop.CHUNK) {
                out.add(new int[] {t, from, Math.min(n, from + ParallelLoop.CHUNK)});
            }
        }
        return out.toArray(new int[0][]);
    }
}
