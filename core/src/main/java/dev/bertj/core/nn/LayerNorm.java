package dev.bertj.core.nn;

import java.nio.FloatBuffer;

/**
 * Layer normalisation over the last dimension, {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, as fused
 * row loops over native buffers (ND4J's op is ~5x slower), each row worked on in a per-thread array by
 * {@link Kernels}. Rows are {@code cols} floats apart and start at element 0 of each buffer; callers split rows
 * across threads.
 */
public final class LayerNorm {

    private static final int X = 0;
    private static final int OTHER = 1;
    private static final int BIAS = 2;
    private static final int GAMMA = 3;
    private static final int BETA = 4;

    private LayerNorm() {
    }

    /**
     * For rows {@code [from, to)}: {@code v = (y + bias) * keep + residual}, stored back into {@code y} (the
     * normaliser's input, kept for the backward pass) unless {@code out} is {@code y}, then {@code out = LayerNorm(v)}.
     * {@code keep} is the dropout mask (already scaled by 1/(1-p)) or null; {@code bias}, {@code residual},
     * {@code mean} and {@code rstd} may be null.
     */
    public static void forward(FloatBuffer y, FloatBuffer bias, FloatBuffer keep, FloatBuffer residual,
                               FloatBuffer out, FloatBuffer gamma, FloatBuffer beta, FloatBuffer mean,
                               FloatBuffer rstd, int cols, double eps, int from, int to) {
        Scratch s = Scratch.get();
        float[] x = s.row(X, cols);
        float[] other = s.row(OTHER, cols);
        float[] b = bias == null ? null : s.row(BIAS, cols);
        float[] g = s.row(GAMMA, cols);
        float[] be = s.row(BETA, cols);
        if (b != null) {
            bias.get(0, b, 0, cols);
        }
        gamma.get(0, g, 0, cols);
        beta.get(0, be, 0, cols);
        for (int r = from; r < to; r++) {
            int o = r * cols;
            y.get(o, x, 0, cols);
            if (b != null) {
                Kernels.add(x, b, cols);
            }
            if (keep != null) {
                keep.get(o, other, 0, cols);
                Kernels.mul(x, other, cols);
            }
            if (residual != null) {
                residual.get(o, other, 0, cols);
                Kernels.add(x, other, cols);
            }
            if (out != y) {
                y.put(o, x, 0, cols);
            }
            float mu = Kernels.sum(x, cols) / cols;
            float rs = (float) (1.0 / Math.sqrt(Kernels.sumSquaredDeviation(x, mu, cols) / (double) cols + eps));
            Kernels.normalize(x, mu, rs, g, be, x, cols);
            out.put(o, x, 0, cols);
            if (mean != null) {
                mean.put(r, mu);
                rstd.put(r, rs);
            }
        }
    }

    /**
     * Backward for rows {@code [from, to)} given the saved input {@code x}, {@code mean}, {@code rstd}:
     * {@code dx = rstd * (g - mean(g) - xhat * mean(g . xhat))} with {@code g = dout * gamma}, written to
     * {@code dx} (which may be {@code dout}); {@code dgamma += dout . xhat} and {@code dbeta += dout} summed over
     * the rows into the given per-thread partial buffers (either may be null).
     */
    public static void backward(FloatBuffer dout, FloatBuffer x, FloatBuffer mean, FloatBuffer rstd,
                                FloatBuffer gamma, FloatBuffer dx, FloatBuffer dgamma, FloatBuffer dbeta, int cols,
                                int from, int to) {
        for (int r = from; r < to; r++) {
            int o = r * cols;
            float mu = mean.get(r);
            float rs = rstd.get(r);
            double sumG = 0;
            double sumGX = 0;
            for (int j = 0; j < cols; j++) {
                float d = dout.get(o + j);
                float xhat = (x.get(o + j) - mu) * rs;
                float g = d * gamma.get(j);
                sumG += g;
                sumGX += g * xhat;
                if (dgamma != null) {
                    dgamma.put(j, dgamma.get(j) + d * xhat);
                }
                if (dbeta != null) {
                    dbeta.put(j, dbeta.get(j) + d);
                }
            }
            float meanG = (float) (sumG / cols);
            float meanGX = (float) (sumGX / cols);
            for (int j = 0; j < cols; j++) {
                float xhat = (x.get(o + j) - mu) * rs;
                float g = dout.get(o + j) * gamma.get(j);
                dx.put(o + j, rs * (g - meanG - xhat * meanGX));
            }
        }
    }

    /**
     * The parameter gradients of {@link #backward} on their own, for columns {@code [colFrom, colTo)} over all
     * {@code rows}: {@code dgamma += sum dout . xhat}, {@code dbeta += sum dout}. Splitting by columns lets threads
     * share the work without partial buffers; call it before a backward that overwrites {@code dout} in place.
     */
    public static void backwardParams(FloatBuffer dout, FloatBuffer x, FloatBuffer mean, FloatBuffer rstd,
                                      FloatBuffer dgamma, FloatBuffer dbeta, int cols, int rows, int colFrom,
                                      int colTo) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float mu = mean.get(r);
            float rs = rstd.get(r);
            for (int j = colFrom; j < colTo; j++) {
                float d = dout.get(o + j);
                if (dgamma != null) {
                    dgamma.put(j, dgamma.get(j) + d * (x.get(o + j) - mu) * rs);
                }
                if (dbeta != null) {
                    dbeta.put(j, dbeta.get(j) + d);
                }
            }
        }
    }
}
