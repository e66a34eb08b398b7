package dev.bertj.core.nn;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD versions of {@link Kernels} (jdk.incubator.vector). Only {@link Kernels} refers to this class, and only
 * after checking the module is present, so a JVM without it never loads it.
 *
 * <p>The exact GELU stays on the scalar path ({@link Erf}'s table, ~4 ns per value): a double-lane erfc formula
 * measured 3-5 ns per value on JDK 17 (the conversions and the division dominate), so it did not pay.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen to one double vector. */
    private static final VectorSpecies<Float> FD = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Math.max(64, D.vectorBitSize() / 2)));

    private static final double SQRT_2_OVER_PI = 0.7978845608028654;

    /** One vector's lanes, per thread, for {@link #sumLanes}. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[F.length()]);

    private VectorKernels() {
    }

    /** Checks the SIMD path against the plain one on a few values (a JVM whose vector support misbehaves is skipped). */
    static boolean selfTest() {
        float[] x = {-7f, -3.1f, -1f, -0.3f, 0f, 0.2f, 0.9f, 1.7f, 2.5f, 4f, 6.5f, 9f, -0.01f, 0.05f, -2f, 3f, 1e-4f};
        float[] y = new float[x.length];
        activation(Activation.GELU_TANH, x, y, x.length);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(y[i] - Activation.geluTanh(x[i])) > 1e-6f * Math.max(1f, Math.abs(x[i]))) {
                return false;
            }
        }
        float[] s = {1f, 2f, 3f, Float.NEGATIVE_INFINITY, 0.5f};
        softmax(s, s.length);
        double e = Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(0.5);
        return Math.abs(s[2] - Math.exp(3) / e) < 1e-6 && s[3] == 0f;
    }

    static void add(float[] a, float[] b, int n) {
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] += b[i];
        }
    }

    static void mul(float[] a, float[] b, int n) {
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector.fromArray(F, a, i).mul(FloatVector.fromArray(F, b, i)).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] *= b[i];
        }
    }

    static void softmax(float[] a, int n) {
        int ub = F.loopBound(n);
        FloatVector mx = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < ub; i += F.length()) {
            mx = mx.max(FloatVector.fromArray(F, a, i));
        }
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, a[i]);
        }
        FloatVector sum = FloatVector.zero(F);
        for (i = 0; i < ub; i += F.length()) {
            FloatVector e = exp(FloatVector.fromArray(F, a, i).sub(max));
            e.intoArray(a, i);
            sum = sum.add(e);
        }
        float s = sumLanes(sum);
        for (; i < n; i++) {
            float e = Kernels.exp(a[i] - max);
            a[i] = e;
            s += e;
        }
        float inv = 1f / s;
        for (i = 0; i < ub; i += F.length()) {
            FloatVector.fromArray(F, a, i).mul(inv).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] *= inv;
        }
    }

    /**
     * The lanes' sum in lane order. {@code reduceLanes(ADD)} may add in any order, and does differently in the
     * interpreter and in C2-compiled code, so a training run's last bits would depend on when the JIT kicked in;
     * a fixed order keeps runs (and a resumed run against an uninterrupted one) bit-identical.
     */
    private static float sumLanes(FloatVector v) {
        float[] lanes = LANES.get();
        v.intoArray(lanes, 0);
        float s = 0f;
        for (float x : lanes) {
            s += x;
        }
        return s;
    }

    /**
     * {@link Kernels#exp} lane by lane, for arguments {@code <= 0} (softmax's {@code x - max}), with the same
     * operations in the same order: the same result in every lane as the scalar code, whatever the JIT does
     * ({@code lanewise(EXP)} gives the interpreter's and the intrinsic's slightly different answers).
     */
    private static FloatVector exp(FloatVector x) {
        FloatVector r = x.mul(1.44269504f).add(12582912f);
        IntVector k = (IntVector) r.reinterpretAsInts().sub(0x4B400000);
        FloatVector kf = r.sub(12582912f);
        FloatVector f = x.sub(kf.mul(0.693145752f)).sub(kf.mul(1.42860677e-6f));
        FloatVector p = f.mul(0.0001984127f).add(0.0013888889f).mul(f).add(0.008333334f).mul(f).add(0.041666668f)
                .mul(f).add(0.16666667f).mul(f).add(0.5f).mul(f).add(1f).mul(f).add(1f);
        FloatVector scale = (FloatVector) k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(scale);
        // Below -87.3 (and for -infinity, the masked keys) the scalar code returns 0.
        return e.blend(0f, x.compare(VectorOperators.GT, -87.3f).not());
    }

    static void activation(Activation act, float[] x, float[] out, int n) {
        switch (act) {
            case GELU -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Activation.gelu(x[i]);
                }
            }
            case GELU_TANH -> geluTanh(x, out, n);
            case RELU -> {
                int i = 0;
                for (int ub = F.loopBound(n); i < ub; i += F.length()) {
                    FloatVector.fromArray(F, x, i).max(0f).intoArray(out, i);
                }
                for (; i < n; i++) {
                    out[i] = Math.max(x[i], 0f);
                }
            }
        }
    }

    private static DoubleVector c(double value) {
        return DoubleVector.broadcast(D, value);
    }

    private static void geluTanh(float[] x, float[] out, int n) {
        int i = 0;
        for (int ub = FD.loopBound(n); i < ub; i += FD.length()) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(FD, x, i).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector inner = v.mul(v).mul(v).mul(c(0.044715)).add(v).mul(c(SQRT_2_OVER_PI));
            DoubleVector g = v.mul(c(0.5)).mul(inner.lanewise(VectorOperators.TANH).add(c(1.0)));
            ((FloatVector) g.convertShape(VectorOperators.D2F, FD, 0)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = Activation.geluTanh(x[i]);
        }
    }

    static float sum(float[] a, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            acc = acc.add(FloatVector.fromArray(F, a, i));
        }
        float s = sumLanes(acc);
        for (; i < n; i++) {
            s += a[i];
        }
        return s;
    }

    static float sumSquaredDeviation(float[] a, float mean, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector d = FloatVector.fromArray(F, a, i).sub(mean);
            acc = d.fma(d, acc);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) {
            float d = a[i] - mean;
            s += d * d;
        }
        return s;
    }

    static void normalize(float[] x, float mean, float rstd, float[] gamma, float[] beta, float[] out, int n) {
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector.fromArray(F, x, i).sub(mean).mul(rstd)
                    .fma(FloatVector.fromArray(F, gamma, i), FloatVector.fromArray(F, beta, i)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
        }
    }
}
