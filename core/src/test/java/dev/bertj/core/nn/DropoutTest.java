package dev.bertj.core.nn;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DropoutTest {

    private static FloatBuffer mask(int n, double p, long key, int site) {
        FloatBuffer b = FloatBuffer.allocate(n);
        Dropout.fill(b, p, key, site, 0, n);
        return b;
    }

    @Test
    void dropsTheRequestedShareAndScalesTheRest() {
        int n = 200_000;
        FloatBuffer m = mask(n, 0.1, 7, 3);
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            float v = m.get(i);
            assertThat(v).isIn(0f, 1f / 0.9f);
            dropped += v == 0 ? 1 : 0;
        }
        assertThat(dropped / (double) n).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.003));
    }

    @Test
    void aMaskIsAFunctionOfKeySiteAndIndexOnly() {
        FloatBuffer whole = mask(10_000, 0.2, 99, 5);
        FloatBuffer split = FloatBuffer.allocate(10_000);
        Dropout.fill(split, 0.2, 99, 5, 6_000, 10_000);
        Dropout.fill(split, 0.2, 99, 5, 0, 6_000);
        assertThat(split.array()).containsExactly(whole.array());
        assertThat(mask(10_000, 0.2, 99, 6).array()).isNotEqualTo(whole.array());
        assertThat(mask(10_000, 0.2, 100, 5).array()).isNotEqualTo(whole.array());
    }

    @Test
    void zeroProbabilityKeepsEverythingAndOneIsRefused() {
        assertThat(mask(1000, 0, 1, 0).array()).containsOnly(1f);
        assertThatThrownBy(() -> mask(10, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The bulk (SIMD) fill gives every element the value of the one-at-a-time hash, tails and chunk edges included. */
    @Test
    void fillRangeEqualsTheElementwiseMask() {
        Rng rng = new Rng(42);
        for (float p : new float[] {0f, 0.1f, 0.5f, 0.9f, 1f / 3f}) {
            float scale = Dropout.keepScale(p);
            for (int n : new int[] {0, 1, 7, 8, 15, 16, 17, 1023, 1024, 1025, 3001}) {
                long site = Dropout.siteKey(rng.nextLong(), rng.nextInt(50));
                long first = rng.nextInt(1 << 30) * 7L;
                int offset = rng.nextInt(9);
                java.nio.FloatBuffer keep = java.nio.FloatBuffer.allocate(offset + n + 3);
                Dropout.fillRange(keep, site, first, offset, n, p, scale);
                for (int j = 0; j < n; j++) {
                    assertThat(keep.get(offset + j)).as("p %s, n %s, j %s", p, n, j)
                            .isEqualTo(Dropout.keep(site, first + j, p, scale));
                }
                assertThat(keep.get(offset + n)).isEqualTo(0f);
            }
        }
    }
}
