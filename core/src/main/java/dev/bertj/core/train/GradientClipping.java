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
            // Four partial sums break the dependency chain of one running sum.
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int i = chunks[c][1];
            int end = chunks[c][2];
            for (; i + 3 < end; i += 4) {
                double a = g.get(i);
                double b = g.get(i + 1);
                double d = g.get(i + 2);
                double e = g.get(i + 3);
                s0 += a * a;
                s1 += b * b;
                s2 += d * d;
                s3 += e * e;
            }
            for (; i < end; i++) {
                double a = g.get(i);
                s0 += a * a;
            }
            partial[c] = (s0 + s1) + (s2 + s3);
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
                float[] a = ParallelLoop.staging()[0];
                for (int start = chunks[c][1], end = chunks[c][2]; start < end; start += ParallelLoop.SLICE) {
                    int n = Math.min(ParallelLoop.SLICE, end - start);
                    g.get(start, a, 0, n);
                    for (int i = 0; i < n; i++) {
                        a[i] *= scale;
                    }
                    g.put(start, a, 0, n);
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
