package dev.bertj.core.nn;

/**
 * The error function, which Java's Math lacks and BERT's GELU needs exactly: {@code gelu(x) = x/2 (1 + erf(x/sqrt 2))}.
 *
 * <p>Method: a table of Taylor polynomials. erf is built once at nodes 1/16 apart on [0, 6] by stepping a 16-term
 * Taylor series from erf(0) = 0 (the derivatives of erf are Hermite polynomials times a Gaussian, so every term
 * is known exactly); each node keeps the first five coefficients. An evaluation takes the nearest node and
 * runs a degree-4 polynomial in the distance d (|d| <= 1/32): the dropped d^5 term bounds the error by 4e-9,
 * and beyond 6 erf is 1 to within 2.2e-17. No exp, no branches beyond the range check: a few nanoseconds.
 */
public final class Erf {

    private static final int PER_UNIT = 16;
    private static final double STEP = 1.0 / PER_UNIT;
    private static final double LIMIT = 6.0;
    private static final int NODES = (int) (LIMIT * PER_UNIT) + 1;
    private static final int DEGREE = 4;
    private static final int SERIES_TERMS = 16;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double SQRT_PI_OVER_2 = 0.886226925452758;
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    /** Per node: erf(t) and the Taylor coefficients of d, d^2, d^3, d^4. */
    private static final double[] COEFFS = new double[NODES * (DEGREE + 1)];

    static {
        double value = 0;
        for (int i = 0; i < NODES; i++) {
            double t = i * STEP;
            double[] a = taylor(t);
            int o = i * (DEGREE + 1);
            COEFFS[o] = value;
            System.arraycopy(a, 1, COEFFS, o + 1, DEGREE);
            // Step to the next node with the full series (Horner from the highest term).
            double step = 0;
            for (int n = SERIES_TERMS; n >= 1; n--) {
                step = (step + a[n]) * STEP;
            }
            value += step;
        }
    }

    private Erf() {
    }

    /** erf(x) with absolute error below 1e-8 for every double x. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (!(ax < LIMIT)) {
            return Double.isNaN(x) ? Double.NaN : Math.copySign(1.0, x);
        }
        int i = (int) (ax * PER_UNIT + 0.5);
        double d = ax - i * STEP;
        int o = i * (DEGREE + 1);
        double r = COEFFS[o] + d * (COEFFS[o + 1] + d * (COEFFS[o + 2] + d * (COEFFS[o + 3] + d * COEFFS[o + 4])));
        return Math.copySign(r, x);
    }

    /**
     * {@code e^(-x^2)} from the same table (absolute error below 1e-6), for GELU's derivative: erf's derivative is
     * {@code 2/sqrt(pi) e^(-x^2)}, so the derivative of each node's polynomial is a cubic in d for the Gaussian.
     */
    public static double gaussian(double x) {
        double ax = Math.abs(x);
        if (!(ax < LIMIT)) {
            return Double.isNaN(x) ? Double.NaN : 0.0;
        }
        int i = (int) (ax * PER_UNIT + 0.5);
        double d = ax - i * STEP;
        int o = i * (DEGREE + 1);
        return SQRT_PI_OVER_2 * (COEFFS[o + 1] + d * (2 * COEFFS[o + 2] + d * (3 * COEFFS[o + 3] + d * 4 * COEFFS[o + 4])));
    }

    /**
     * The exact GELU and its derivative together, one table lookup per value (the training forward keeps the
     * derivative for the backward pass): {@code out = u Phi(u)}, {@code derivative = Phi(u) + u phi(u)} with
     * {@code Phi(u) = (1 + erf(u / sqrt 2)) / 2} and {@code phi(u) = e^(-u^2/2) / sqrt(2 pi)}.
     */
    static void geluWithDerivative(float[] x, float[] out, float[] derivative, int n) {
        for (int j = 0; j < n; j++) {
            double u = x[j];
            double t = Math.abs(u) * INV_SQRT2;
            double erf;
            double gauss;
            if (t < LIMIT) {
                int i = (int) (t * PER_UNIT + 0.5);
                double d = t - i * STEP;
                int o = i * (DEGREE + 1);
                double c1 = COEFFS[o + 1];
                double c2 = COEFFS[o + 2];
                double c3 = COEFFS[o + 3];
                double c4 = COEFFS[o + 4];
                erf = COEFFS[o] + d * (c1 + d * (c2 + d * (c3 + d * c4)));
                gauss = SQRT_PI_OVER_2 * (c1 + d * (2 * c2 + d * (3 * c3 + d * 4 * c4)));
            } else {
                erf = 1.0;
                gauss = 0.0;
            }
            double cdf = 0.5 * (1.0 + (u < 0 ? -erf : erf));
            out[j] = (float) (u * cdf);
            derivative[j] = (float) (cdf + u * INV_SQRT_2PI * gauss);
        }
    }

    /**
     * Coefficients a[n] (n = 1..SERIES_TERMS) of erf(t + d) - erf(t) = sum a[n] d^n. Since
     * erf^(n+1)(t) = 2/sqrt(pi) (-1)^n H_n(t) e^(-t^2) with the physicists' Hermite polynomials
     * H_0 = 1, H_1 = 2t, H_(n+1) = 2t H_n - 2n H_(n-1): a[n+1] = erf^(n+1)(t) / (n+1)!.
     */
    private static double[] taylor(double t) {
        double[] a = new double[SERIES_TERMS + 1];
        double gauss = TWO_OVER_SQRT_PI * Math.exp(-t * t);
        double hPrev = 0;
        double h = 1;
        double factorial = 1;
        for (int n = 0; n < SERIES_TERMS; n++) {
            factorial *= n + 1;
            a[n + 1] = ((n & 1) == 0 ? 1 : -1) * h * gauss / factorial;
            double next = 2 * t * h - 2 * n * hPrev;
            hPrev = h;
            h = next;
        }
        return a;
    }
}
