package dev.bertj.core.nn;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;

import static org.assertj.core.api.Assertions.assertThat;

class ErfTest {

    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494459");

    /** erf by its Maclaurin series in 60-digit arithmetic: exact to far below double precision for |x| <= 7. */
    static double exactErf(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal x2 = bx.multiply(bx, MC);
        BigDecimal term = bx;
        BigDecimal sum = bx;
        for (int n = 1; n < 400; n++) {
            term = term.multiply(x2, MC).negate().divide(BigDecimal.valueOf(n), MC);
            BigDecimal add = term.divide(BigDecimal.valueOf(2L * n + 1), MC);
            sum = sum.add(add, MC);
            if (add.abs().compareTo(new BigDecimal("1e-40")) < 0) {
                break;
            }
        }
        return sum.multiply(BigDecimal.valueOf(2), MC).divide(PI.sqrt(MC), MC).doubleValue();
    }

    /** erf in double from {@link Erf} checked elsewhere against {@link #exactErf}: fast enough for dense sweeps. */
    static double exactErfFast(double x) {
        return Erf.erf(x);
    }

    @Test
    void matchesTheSeriesEverywhereWellBelowOneInTenMillion() {
        double worst = 0;
        for (int i = -7000; i <= 7000; i += 7) {
            double x = i / 1000.0 + 0.000123;
            worst = Math.max(worst, Math.abs(Erf.erf(x) - exactErf(x)));
        }
        for (double x : new double[] {0, 1e-9, -1e-5, 0.03125, 1.0 / 32 + 1e-12, 5.999999, 6, 6.0001, 30}) {
            worst = Math.max(worst, Math.abs(Erf.erf(x) - exactErf(Math.min(x, 7))));
        }
        assertThat(worst).isLessThan(1e-8);
        assertThat(Erf.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
        assertThat(Erf.erf(Double.NaN)).isNaN();
        assertThat(Erf.erf(-0.0)).isEqualTo(-0.0);
    }

    @Test
    void geluIsTheExactErfFormNotAnApproximation() {
        // gelu(1) = Phi(1) = 0.8413447460685429...; the sigmoid form gives 0.8458, the tanh form 0.8412.
        assertThat((double) Activation.gelu(1f)).isCloseTo(0.8413447460685429, org.assertj.core.data.Offset.offset(1e-7));
        assertThat((double) Activation.gelu(-2.5f)).isCloseTo(-2.5 * 0.5 * (1 - exactErf(2.5 / Math.sqrt(2))),
                org.assertj.core.data.Offset.offset(1e-7));
        for (float u = -6f; u <= 6f; u += 0.37f) {
            double h = 1e-3;
            double numeric = (Activation.gelu((float) (u + h)) - (double) Activation.gelu((float) (u - h))) / (2 * h);
            assertThat((double) Activation.geluDerivative(u)).isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3));
            double numericTanh = (Activation.geluTanh((float) (u + h)) - (double) Activation.geluTanh((float) (u - h)))
                    / (2 * h);
            assertThat((double) Activation.geluTanhDerivative(u))
                    .isCloseTo(numericTanh, org.assertj.core.data.Offset.offset(2e-3));
        }
    }
}
