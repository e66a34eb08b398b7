package dev.bertj.core.nn;

/**
 * The encoder's element-wise and row kernels (softmax, bias, activation, LayerNorm arithmetic) over {@code float[]}
 * rows, which callers fill from native memory with one bulk copy. When the JVM has {@code jdk.incubator.vector}
 * ({@code --add-modules jdk.incubator.vector}; the {@code ./bert} launcher and the tests pass it) the SIMD versions in
 * {@link VectorKernels} run (softmax ~5x and LayerNorm ~3x faster than these plain loops); otherwise these loops. Both agree to float
 * rounding. Set {@code -Dbertj.vector=false} to force the plain loops.
 */
public final class Kernels {

    /** Whether the SIMD kernels are in use. */
    public static final boolean VECTOR = vectorAvailable();

    private Kernels() {
    }

    private static boolean vectorAvailable() {
        if (!Boolean.parseBoolean(System.getProperty("bertj.vector", "true"))) {
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return VectorKernels.selfTest();
        } catch (Throwable t) {
            return false;
        }
    }

    /** a[i] += b[i], i < n. */
    public static void add(float[] a, float[] b, int n) {
        if (VECTOR) {
            VectorKernels.add(a, b, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            a[i] += b[i];
        }
    }

    /** a[i] *= b[i], i < n. */
    public static void mul(float[] a, float[] b, int n) {
        if (VECTOR) {
            VectorKernels.mul(a, b, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            a[i] *= b[i];
        }
    }

    /** In-place softmax of a[0..n). Entries of -infinity get exactly 0; at least one entry must be finite. */
    public static void softmax(float[] a, int n) {
        if (VECTOR) {
            VectorKernels.softmax(a, n);
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, a[i]);
        }
        float sum = 0;
        for (int i = 0; i < n; i++) {
            float e = exp(a[i] - max);
            a[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            a[i] *= inv;
        }
    }

    /** out[i] = act(x[i]), i < n ({@code out} may be {@code x}). */
    public static void activation(Activation act, float[] x, float[] out, int n) {
        if (VECTOR) {
            VectorKernels.activation(act, x, out, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            out[i] = act.apply(x[i]);
        }
    }

    /** Sum of a[0..n). */
    public static float sum(float[] a, int n) {
        if (VECTOR) {
            return VectorKernels.sum(a, n);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i];
        }
        return (float) s;
    }

    /** Sum of (a[i] - mean)^2, i < n. */
    public static float sumSquaredDeviation(float[] a, float mean, int n) {
        if (VECTOR) {
            return VectorKernels.sumSquaredDeviation(a, mean, n);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            float d = a[i] - mean;
            s += d * d;
        }
        return (float) s;
    }

    /** out[i] = (x[i] - mean) * rstd * gamma[i] + beta[i], i < n ({@code out} may be {@code x}). */
    public static void normalize(float[] x, float mean, float rstd, float[] gamma, float[] beta, float[] out, int n) {
        if (VECTOR) {
            VectorKernels.normalize(x, mean, rstd, gamma, beta, out, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            out[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
        }
    }

    /**
     * e^x in float, relative error below 2e-7 (Cody-Waite reduction, degree-7 Taylor on |f| <= ln2/2); 0 below
     * -87.3 and for -infinity.
     */
    public static float exp(float x) {
        if (!(x > -87.3f)) {
            return x != x ? x : 0f;
        }
        if (x > 88.7f) {
            return Float.POSITIVE_INFINITY;
        }
        float r = x * 1.44269504f + 12582912f;
        int k = Float.floatToRawIntBits(r) - 0x4B400000;
        float kf = r - 12582912f;
        float f = (x - kf * 0.693145752f) - kf * 1.42860677e-6f;
        float p = 1f + f * (1f + f * (0.5f + f * (0.16666667f + f * (0.041666668f + f * (0.008333334f
                + f * (0.0013888889f + f * 0.0001984127f))))));
        return p * Float.intBitsToFloat((k + 127) << 23);
    }
}
