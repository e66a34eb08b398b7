package dev.bertj.core.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD versions of {@link Kernels} (jdk.incubator.vector). Only {@link Kernels} refers to this class, and only
 * after checking the module is present, so a JVM without it never loads it.
 *
 * <p>The exact GELU runs in float lanes (an erfc series and fit with the deterministic exp below); {@link Erf}'s
 * scalar table is the path without the vector module.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final FloatVector ZERO = FloatVector.broadcast(F, 0f);
    private static final FloatVector HALF = FloatVector.broadcast(F, 0.5f);
    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);
    private static final FloatVector LOG2E = FloatVector.broadcast(F, 1.44269504f);
    private static final FloatVector SHIFTER = FloatVector.broadcast(F, 12582912f);
    private static final IntVector SHIFTER_BITS = IntVector.broadcast(I, 0x4B400000);
    private static final IntVector EXP_BIAS = IntVector.broadcast(I, 127);
    private static final IntVector MANTISSA_BITS = IntVector.broadcast(I, 23);
    private static final FloatVector LN2_HI = FloatVector.broadcast(F, 0.693145752f);
    private static final FloatVector LN2_LO = FloatVector.broadcast(F, 1.42860677e-6f);
    private static final FloatVector E7 = FloatVector.broadcast(F, 0.0001984127f);
    private static final FloatVector E6 = FloatVector.broadcast(F, 0.0013888889f);
    private static final FloatVector E5 = FloatVector.broadcast(F, 0.008333334f);
    private static final FloatVector E4 = FloatVector.broadcast(F, 0.041666668f);
    private static final FloatVector E3 = FloatVector.broadcast(F, 0.16666667f);
    private static final FloatVector E2 = FloatVector.broadcast(F, 0.5f);
    private static final FloatVector EXP_MIN = FloatVector.broadcast(F, -87.3f);
    private static final FloatVector EXP_CAP = FloatVector.broadcast(F, 80f);
    private static final FloatVector MINUS_TWO = FloatVector.broadcast(F, -2f);
    private static final FloatVector TANH_CUBIC = FloatVector.broadcast(F, 0.044715f);
    private static final FloatVector SQRT_2_OVER_PI_F = FloatVector.broadcast(F, 0.7978845608028654f);


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
        FloatVector maxV = FloatVector.broadcast(F, max);
        for (i = 0; i < ub; i += F.length()) {
            FloatVector e = exp(FloatVector.fromArray(F, a, i).sub(maxV));
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
        FloatVector invV = FloatVector.broadcast(F, inv);
        for (i = 0; i < ub; i += F.length()) {
            FloatVector.fromArray(F, a, i).mul(invV).intoArray(a, i);
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
        // Constant vectors, not the scalar-argument overloads or a helper per constant: JDK 17's C2 stops inlining
        // a few calls deep, and a vector operation it does not inline falls back to slow boxed code.
        // The scalar Kernels.exp's operations in its order (separate multiply and add, no fma), so every lane
        // matches it bit for bit.
        FloatVector r = x.mul(LOG2E).add(SHIFTER);
        IntVector k = (IntVector) r.reinterpretAsInts().sub(SHIFTER_BITS);
        FloatVector kf = r.sub(SHIFTER);
        FloatVector f = x.sub(kf.mul(LN2_HI)).sub(kf.mul(LN2_LO));
        FloatVector p = f.mul(E7).add(E6).mul(f).add(E5).mul(f).add(E4).mul(f).add(E3).mul(f).add(E2).mul(f).add(ONE)
                .mul(f).add(ONE);
        FloatVector scale = (FloatVector) k.add(EXP_BIAS).lanewise(VectorOperators.LSHL, MANTISSA_BITS).reinterpretAsFloats();
        FloatVector e = p.mul(scale);
        // Below -87.3 (and for -infinity, the masked keys) the scalar code returns 0.
        return e.blend(ZERO, x.compare(VectorOperators.GT, EXP_MIN).not());
    }

    static void activation(Activation act, float[] x, float[] out, int n) {
        switch (act) {
            case GELU -> gelu(x, out, n);
            case GELU_TANH -> geluTanh(x, out, n);
            case RELU -> {
                int i = 0;
                for (int ub = F.loopBound(n); i < ub; i += F.length()) {
                    FloatVector.fromArray(F, x, i).max(ZERO).intoArray(out, i);
                }
                for (; i < n; i++) {
                    out[i] = Math.max(x[i], 0f);
                }
            }
        }
    }

    /** erf's Maclaurin series, 2/sqrt(pi) (-1)^k / (k! (2k + 1)), k = 0..9: erf(z) = z S(z^2) for z < 0.8. */
    private static final FloatVector S0 = FloatVector.broadcast(F, 1.1283791670955126f);
    private static final FloatVector S1 = FloatVector.broadcast(F, -0.37612638903183754f);
    private static final FloatVector S2 = FloatVector.broadcast(F, 0.11283791670955126f);
    private static final FloatVector S3 = FloatVector.broadcast(F, -0.026866170645131252f);
    private static final FloatVector S4 = FloatVector.broadcast(F, 0.005223977625442188f);
    private static final FloatVector S5 = FloatVector.broadcast(F, -0.0008548327023450853f);
    private static final FloatVector S6 = FloatVector.broadcast(F, 0.00012055332981789664f);
    private static final FloatVector S7 = FloatVector.broadcast(F, -1.492565035840625e-05f);
    private static final FloatVector S8 = FloatVector.broadcast(F, 1.6462114365889248e-06f);
    private static final FloatVector S9 = FloatVector.broadcast(F, -1.6365844691234924e-07f);
    /**
     * For z >= 0.8: erfc(z) = t exp(P(u) - z^2), t = 1/(1 + z/2), u = (t - T_MID) T_SCALE in [-1, 1], P our own
     * Chebyshev fit (degree 7, max error 1.0e-8 on z in [0.8, 6], fitted in 40-digit arithmetic); Pk is u^k's.
     */
    private static final FloatVector P0 = FloatVector.broadcast(F, -0.6957545435314391f);
    private static final FloatVector P1 = FloatVector.broadcast(F, 0.31064612961114973f);
    private static final FloatVector P2 = FloatVector.broadcast(F, 0.011271131862178117f);
    private static final FloatVector P3 = FloatVector.broadcast(F, -0.004541006422424699f);
    private static final FloatVector P4 = FloatVector.broadcast(F, -0.000529243270400295f);
    private static final FloatVector P5 = FloatVector.broadcast(F, 0.00018013313488644884f);
    private static final FloatVector P6 = FloatVector.broadcast(F, 2.182003642214389e-05f);
    private static final FloatVector P7 = FloatVector.broadcast(F, -9.289837117048178e-06f);
    private static final FloatVector T_MID = FloatVector.broadcast(F, 0.48214285714285715f);
    private static final FloatVector T_SCALE = FloatVector.broadcast(F, 4.3076923076923075f);
    private static final FloatVector INV_SQRT2_F = FloatVector.broadcast(F, 0.70710677f);
    private static final FloatVector Z_MAX = FloatVector.broadcast(F, 6f);
    private static final FloatVector Z_SERIES = FloatVector.broadcast(F, 0.8f);

    /**
     * The exact (erf) GELU, x Phi(x), in float lanes. Phi comes from erfc(|x|/sqrt 2): the series above below
     * z = 0.8, the fitted form above; erf comes out within ~1.1e-7 of the true value (float resolution), so GELU is
     * within ~1e-7 max(1, |x|) of the scalar {@link Activation#gelu}, about 2x faster.
     */
    private static void gelu(float[] x, float[] out, int n) {
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector z = v.abs().mul(INV_SQRT2_F).min(Z_MAX);
            FloatVector w = z.mul(z);
            FloatVector s = w.fma(S9, S8).fma(w, S7).fma(w, S6).fma(w, S5).fma(w, S4).fma(w, S3).fma(w, S2)
                    .fma(w, S1).fma(w, S0);
            FloatVector erfcSmall = ONE.sub(z.mul(s));
            FloatVector t = ONE.div(z.fma(HALF, ONE));
            FloatVector u = t.sub(T_MID).mul(T_SCALE);
            FloatVector p = u.fma(P7, P6).fma(u, P5).fma(u, P4).fma(u, P3).fma(u, P2).fma(u, P1).fma(u, P0);
            FloatVector erfcLarge = t.mul(exp(p.sub(w)));
            FloatVector erfc = erfcLarge.blend(erfcSmall, z.compare(VectorOperators.LT, Z_SERIES));
            FloatVector half = erfc.mul(HALF);
            FloatVector phi = ONE.sub(half).blend(half, v.compare(VectorOperators.LT, ZERO));
            v.mul(phi).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = Activation.gelu(x[i]);
        }
    }

    private static final FloatVector INV_SQRT_2PI_F = FloatVector.broadcast(F, 0.3989422804014327f);
    private static final FloatVector MINUS_HALF = FloatVector.broadcast(F, -0.5f);

    /**
     * The exact GELU and its derivative {@code Phi(x) + x phi(x)}, {@code phi(x) = e^(-x^2/2) / sqrt(2 pi)}, in float
     * lanes for the training forward pass: Phi as in {@link #gelu}, the density from the deterministic exp (its
     * argument uncapped, so far out the density is 0 and the derivative 0 or 1). Several times faster than the
     * scalar table ({@link Erf}), which the intermediate layer's ~38 M values per BERT-base step made ~8% of a step.
     * Two loops with one exp each: one loop with both exps is more than JDK 17's C2 inlines, and the vector
     * operations it leaves out-of-line run boxed (hundreds of MB of garbage per step). {@code out} may be {@code x}.
     */
    static void geluWithDerivative(float[] x, float[] out, float[] derivative, int n) {
        int vectorEnd = F.loopBound(n);
        normalCdf(x, derivative, vectorEnd);
        geluFromCdf(x, out, derivative, vectorEnd);
        for (int i = vectorEnd; i < n; i++) {
            float u = x[i];
            derivative[i] = Activation.geluDerivative(u);
            out[i] = Activation.gelu(u);
        }
    }

    /**
     * {@code cdf[i] = Phi(x[i])} for {@code i < n}, n a multiple of the lane count. The same lanes as {@link #gelu}'s
     * loop, written out rather than shared through a helper returning a FloatVector: one that C2 declines to inline
     * would pass its vectors boxed.
     */
    private static void normalCdf(float[] x, float[] cdf, int n) {
        for (int i = 0; i < n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector z = v.abs().mul(INV_SQRT2_F).min(Z_MAX);
            FloatVector w = z.mul(z);
            FloatVector s = w.fma(S9, S8).fma(w, S7).fma(w, S6).fma(w, S5).fma(w, S4).fma(w, S3).fma(w, S2)
                    .fma(w, S1).fma(w, S0);
            FloatVector erfcSmall = ONE.sub(z.mul(s));
            FloatVector t = ONE.div(z.fma(HALF, ONE));
            FloatVector u = t.sub(T_MID).mul(T_SCALE);
            FloatVector p = u.fma(P7, P6).fma(u, P5).fma(u, P4).fma(u, P3).fma(u, P2).fma(u, P1).fma(u, P0);
            FloatVector erfcLarge = t.mul(exp(p.sub(w)));
            FloatVector erfc = erfcLarge.blend(erfcSmall, z.compare(VectorOperators.LT, Z_SERIES));
            FloatVector half = erfc.mul(HALF);
            ONE.sub(half).blend(half, v.compare(VectorOperators.LT, ZERO)).intoArray(cdf, i);
        }
    }

    /**
     * From {@code cdfThenDerivative[i] = Phi(x[i])}: {@code out[i] = x Phi} and {@code cdfThenDerivative[i] =
     * Phi + x phi(x)}, for {@code i < n}, n a multiple of the lane count ({@code out} may be {@code x}).
     */
    private static void geluFromCdf(float[] x, float[] out, float[] cdfThenDerivative, int n) {
        for (int i = 0; i < n; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector phi = FloatVector.fromArray(F, cdfThenDerivative, i);
            FloatVector density = exp(v.mul(v).mul(MINUS_HALF)).mul(INV_SQRT_2PI_F);
            v.mul(density).add(phi).intoArray(cdfThenDerivative, i);
            v.mul(phi).intoArray(out, i);
        }
    }

    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final long[] ONE_TO_LANES = new long[L.length()];

    static {
        for (int j = 0; j < ONE_TO_LANES.length; j++) {
            ONE_TO_LANES[j] = j + 1;
        }
    }

    /**
     * {@link Dropout#keep} of the indices {@code firstIndex .. firstIndex + n - 1} into {@code out[0 .. n)}: the same
     * SplitMix64 hash in 64-bit lanes, and {@code u < p} as the integer test {@code bits >>> 40 < threshold} with
     * {@code threshold = ceil(p 2^24)} (u is those 24 bits times 2^-24, exact in float), so every mask value is the
     * scalar one.
     */
    static void dropoutMask(long siteKey, long firstIndex, float p, long threshold, float scale, float[] out, int n) {
        int len = L.length();
        LongVector first = LongVector.fromArray(L, ONE_TO_LANES, 0).mul(Dropout.GOLDEN).add(siteKey + firstIndex * Dropout.GOLDEN);
        int i = 0;
        for (int ub = L.loopBound(n); i < ub; i += len) {
            LongVector z = first.add(i * Dropout.GOLDEN);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(Rng.SPLITMIX_A);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(Rng.SPLITMIX_B);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            long dropped = z.lanewise(VectorOperators.LSHR, 40).compare(VectorOperators.LT, threshold).toLong();
            for (int j = 0; j < len; j++) {
                out[i + j] = ((dropped >>> j) & 1) != 0 ? 0f : scale;
            }
        }
        for (; i < n; i++) {
            out[i] = Dropout.keep(siteKey, firstIndex + i, p, scale);
        }
    }

    /**
     * The tanh GELU, 0.5 x (1 + tanh(y)) = x / (1 + e^(-2y)), y = sqrt(2/pi) (x + 0.044715 x^3), in float lanes with
     * the deterministic exp (the argument capped at 80: beyond, the result is 0 to float precision anyway).
     */
    private static void geluTanh(float[] x, float[] out, int n) {
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector y = v.mul(v).mul(v).fma(TANH_CUBIC, v).mul(SQRT_2_OVER_PI_F);
            FloatVector e = exp(y.mul(MINUS_TWO).min(EXP_CAP));
            v.div(ONE.add(e)).intoArray(out, i);
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
        FloatVector meanV = FloatVector.broadcast(F, mean);
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector d = FloatVector.fromArray(F, a, i).sub(meanV);
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
        FloatVector meanV = FloatVector.broadcast(F, mean);
        FloatVector rstdV = FloatVector.broadcast(F, rstd);
        int i = 0;
        for (int ub = F.loopBound(n); i < ub; i += F.length()) {
            FloatVector.fromArray(F, x, i).sub(meanV).mul(rstdV)
                    .fma(FloatVector.fromArray(F, gamma, i), FloatVector.fromArray(F, beta, i)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
        }
    }
}
