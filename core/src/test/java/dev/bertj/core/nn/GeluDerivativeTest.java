package dev.bertj.core.nn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** GELU's derivative and the Gaussian it takes from {@link Erf}'s table, against double-precision formulas. */
class GeluDerivativeTest {

    @Test
    void gaussianFromTheErfTableMatchesExp() {
        double worst = 0;
        for (int i = -8000; i <= 8000; i++) {
            double x = i / 1000.0 + 0.000317;
            worst = Math.max(worst, Math.abs(Erf.gaussian(x) - Math.exp(-x * x)));
        }
        assertThat(worst).isLessThan(1e-6);
        assertThat(Erf.gaussian(Double.NaN)).isNaN();
        assertThat(Erf.gaussian(1e300)).isEqualTo(0.0);
    }

    @Test
    void geluDerivativeIsPhiPlusXTimesTheDensity() {
        for (int i = -1000; i <= 1000; i++) {
            float u = i / 100f;
            double x = u;
            double phi = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            double cdf = 0.5 * (1 + Erf.erf(x / Math.sqrt(2)));
            assertThat((double) Activation.geluDerivative(u)).as("gelu'(%s)", u).isCloseTo(cdf + x * phi,
                    org.assertj.core.data.Offset.offset(2e-6 * Math.max(1, Math.abs(x))));
        }
    }

    @Test
    void geluWithDerivativeInOnePassMatchesTheSeparateFunctions() {
        float[] x = new float[4001];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i - 2000) / 250f;
        }
        float[] out = new float[x.length];
        float[] d = new float[x.length];
        for (Activation a : Activation.values()) {
            a.applyWithDerivative(x, out, d, x.length);
            for (int i = 0; i < x.length; i++) {
                assertThat(out[i]).as("%s(%s)", a, x[i]).isCloseTo(a.apply(x[i]), org.assertj.core.data.Offset.offset(1e-6f));
                assertThat(d[i]).as("%s'(%s)", a, x[i]).isCloseTo(a.derivative(x[i]),
                        org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    /** Far out in both tails and at the vector lanes' tail (n not a multiple of the lane count). */
    @Test
    void geluWithDerivativeInTheTails() {
        float[] x = {-1e4f, -87f, -30f, -9f, -6f, -1e-30f, 0f, 1e-30f, 6f, 9f, 30f, 87f, 1e4f, 0.5f, -0.5f, 2.5f, -2.5f};
        float[] out = new float[x.length];
        float[] d = new float[x.length];
        Activation.GELU.applyWithDerivative(x, out, d, x.length);
        for (int i = 0; i < x.length; i++) {
            double tol = 1e-6 * Math.max(1, Math.abs(x[i]));
            assertThat((double) out[i]).as("gelu(%s)", x[i]).isCloseTo(Activation.gelu(x[i]),
                    org.assertj.core.data.Offset.offset(tol));
            assertThat((double) d[i]).as("gelu'(%s)", x[i]).isCloseTo(Activation.geluDerivative(x[i]),
                    org.assertj.core.data.Offset.offset(1e-6));
        }
        // Far left both are 0 to float precision (erfc(6) ~ 2e-17 is the kernel's floor), far right x and 1.
        assertThat((double) out[0]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat((double) d[0]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(out[12]).isEqualTo(1e4f);
        assertThat(d[12]).isEqualTo(1f);
    }
}
