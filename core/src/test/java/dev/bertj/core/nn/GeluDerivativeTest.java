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
}
