package dev.bertj.core.nn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The SIMD kernels against plain double-precision loops, and the float exp against Math.exp. */
class KernelsTest {

    @Test
    void theTestJvmRunsTheVectorKernels() {
        // surefire passes --add-modules jdk.incubator.vector; the launcher does too.
        assertThat(Kernels.VECTOR).isTrue();
    }

    @Test
    void simdGeluIsTheExactErfFormToFloatPrecision() {
        int n = 400_001;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -12f + 24f * i / (n - 1);
        }
        float[] y = new float[n];
        Kernels.activation(Activation.GELU, x, y, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double exact = 0.5 * x[i] * (1 + ErfTest.exactErfFast(x[i] / Math.sqrt(2)));
            worst = Math.max(worst, Math.abs(y[i] - exact) / Math.max(1, Math.abs(x[i])));
        }
        assertThat(worst).isLessThan(2e-7);
    }

    @Test
    void floatExpIsAccurate() {
        double worst = 0;
        for (int i = 0; i <= 1_000_000; i++) {
            float x = -87f + 175f * i / 1_000_000f;
            double want = Math.exp(x);
            worst = Math.max(worst, Math.abs(Kernels.exp(x) - want) / want);
        }
        assertThat(worst).isLessThan(2e-7);
        assertThat(Kernels.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(Kernels.exp(-100f)).isEqualTo(0f);
        assertThat(Kernels.exp(0f)).isEqualTo(1f);
    }

    @Test
    void softmaxNormalizerAndActivationsMatchPlainLoops() {
        Rng rng = new Rng(9);
        for (int n : new int[] {1, 3, 15, 16, 17, 128, 384, 1000}) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (rng.nextGaussian() * 4);
            }
            if (n > 3) {
                a[2] = Float.NEGATIVE_INFINITY;
            }
            float[] p = a.clone();
            Kernels.softmax(p, n);
            double max = Double.NEGATIVE_INFINITY;
            for (float v : a) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : a) {
                sum += Math.exp(v - max);
            }
            for (int i = 0; i < n; i++) {
                assertThat((double) p[i]).isCloseTo(Math.exp(a[i] - max) / sum, org.assertj.core.data.Offset.offset(1e-6));
            }
            if (n > 3) {
                assertThat(p[2]).isEqualTo(0f);
                a[2] = 0.5f;
            }

            double mean = 0;
            for (float v : a) {
                mean += v;
            }
            mean /= n;
            assertThat((double) Kernels.sum(a, n) / n).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-5));
            double ssd = 0;
            for (float v : a) {
                ssd += (v - mean) * (v - mean);
            }
            assertThat((double) Kernels.sumSquaredDeviation(a, (float) mean, n)).isCloseTo(ssd,
                    org.assertj.core.data.Offset.offset(1e-5 * Math.max(1, ssd)));
            float[] g = new float[n];
            float[] b = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) rng.nextGaussian();
                b[i] = (float) rng.nextGaussian();
            }
            float[] y = new float[n];
            Kernels.normalize(a, (float) mean, 0.7f, g, b, y, n);
            for (int i = 0; i < n; i++) {
                assertThat((double) y[i]).isCloseTo((a[i] - mean) * 0.7 * g[i] + b[i], org.assertj.core.data.Offset.offset(1e-5));
            }
            for (Activation act : Activation.values()) {
                float[] out = new float[n];
                Kernels.activation(act, a, out, n);
                for (int i = 0; i < n; i++) {
                    assertThat(out[i]).as("%s(%s)", act, a[i]).isCloseTo(act.apply(a[i]),
                            org.assertj.core.data.Offset.offset(2e-6f * Math.max(1f, Math.abs(a[i]))));
                }
            }
            float[] c = a.clone();
            Kernels.add(c, g, n);
            Kernels.mul(c, b, n);
            for (int i = 0; i < n; i++) {
                assertThat(c[i]).isEqualTo((a[i] + g[i]) * b[i]);
            }
        }
    }
}
