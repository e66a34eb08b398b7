package dev.bertj.core.nn;

import java.nio.FloatBuffer;

/**
 * Layer normalisation over the last dimension, {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, as fused
 * row loops over native buffers (ND4J's op is ~5x slower). Statistics are accumulated in double. Rows are
 * {@code cols} floats apart and start at element 0 of each buffer; a caller splits rows across threads.
 */
public final class LayerNorm {

    private LayerNorm() {
    }

    /**
     * For rows {@code [from, to)}: {@code v = (y + bias) * keep + residual}, stored back into {@code y} (the
     * normaliser's input, kept for the backward pass), then {@code out = LayerNorm(v)}. {@code out} may be
     * {@code y} itself. {@code keep} is the dropout mask (already scaled by 1/(1-p)) or null; {@code bias},
     * {@code residual}, {@code mean} and {@code rstd} may be null.
     */
    public static void forward(FloatBuffer y, FloatBuffer bias, FloatBuffer keep, FloatBuffer residual,
                               FloatBuffer out, FloatBuffer gamma, FloatBuffer beta, FloatBuffer mean,
                               FloatBuffer rstd, int cols, double eps, int from, int to) {
        for (int r = from; r < to; r++) {
            int o = r * cols;
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                float v = y.get(o + j);
                if (bias != null) {
                    v += bias.get(j);
                }
                if (keep != null) {
                    v *= keep.get(o + j);
                }
                if (residual != null) {
                    v += residual.get(o + j);
                }
                y.put(o + j, v);
                sum += v;
            }
            float mu = (float) (sum / cols);
            double sq = 0;
            for (int j = 0; j < cols; j++) {
                float d = y.get(o + j) - mu;
                sq += d * d;
            }
            float rs = (float) (1.0 / Math.sqrt(sq / cols + eps));
            for (int j = 0; j < cols; j++) {
                out.put(o + j, (y.get(o + j) - mu) * rs * gamma.get(j) + beta.get(j));
            }
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
