package dev.bertj.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RngTest {

    /**
     * Outputs of the reference C implementation (xoshiro256starstar.c, prng.di.unimi.it) from the state {1,2,3,4};
     * the first four are the widely published test vector, the jump state comes from running the reference
     * {@code jump()} on the same state.
     */
    @Test
    void matchesTheReferenceAlgorithm() {
        Rng rng = Rng.ofState(new long[] {1, 2, 3, 4});
        assertThat(rng.nextLong()).isEqualTo(11520L);
        assertThat(rng.nextLong()).isEqualTo(0L);
        assertThat(rng.nextLong()).isEqualTo(1509978240L);
        assertThat(rng.nextLong()).isEqualTo(1215971899390074240L);
        assertThat(rng.nextLong()).isEqualTo(1216172134540287360L);
        assertThat(rng.nextLong()).isEqualTo(607988272756665600L);

        Rng jumped = Rng.ofState(new long[] {1, 2, 3, 4});
        jumped.jump();
        assertThat(jumped.state()).containsExactly(
                0x8c7a153956b5f3d1L, 0x701f1a713401d85eL, 0x6527f66a65469085L, 0x8386b786c4408050L);
    }

    /** SplitMix64 from seed 0 gives the published sequence e220a8397b1dcdaf, 6e789e6aa1b965f4, 06c45d188009454f. */
    @Test
    void seedsThroughSplitMix64() {
        assertThat(new Rng(0).state()).startsWith(0xe220a8397b1dcdafL, 0x6e789e6aa1b965f4L, 0x06c45d188009454fL);
        assertThat(new Rng(42).nextLong()).isEqualTo(new Rng(42).nextLong());
        assertThat(new Rng(42).nextLong()).isNotEqualTo(new Rng(43).nextLong());
    }

    @Test
    void savedStateContinuesTheSameSequence() {
        Rng rng = new Rng(7);
        for (int i = 0; i < 1000; i++) {
            rng.nextLong();
        }
        String saved = rng.saveState();
        long[] expected = IntStream.range(0, 100).mapToLong(i -> rng.nextLong()).toArray();

        Rng restored = Rng.restore(saved);
        assertThat(IntStream.range(0, 100).mapToLong(i -> restored.nextLong()).toArray()).containsExactly(expected);

        Rng inPlace = new Rng(99);
        inPlace.restoreState(saved);
        assertThat(inPlace.nextLong()).isEqualTo(expected[0]);
        assertThat(Rng.ofState(Rng.restore(saved).state())).isEqualTo(Rng.restore(saved));
    }

    @Test
    void refusesBadStates() {
        assertThatThrownBy(() -> Rng.restore("mt19937:00")).hasMessageContaining("xoshiro256**");
        assertThatThrownBy(() -> Rng.restore("xoshiro256**:" + "z".repeat(64))).hasMessageContaining("hex");
        assertThatThrownBy(() -> Rng.restore("xoshiro256**:" + "0".repeat(64))).hasMessageContaining("all zero");
        assertThatThrownBy(() -> Rng.ofState(new long[3])).hasMessageContaining("4 longs");
        assertThatThrownBy(() -> new Rng(1).nextInt(0)).hasMessageContaining("positive");
    }

    @Test
    void splitGivesTheCurrentStreamAwayAndJumps() {
        Rng parent = new Rng(5);
        Rng reference = new Rng(5);
        Rng child = parent.split();
        assertThat(child.nextLong()).isEqualTo(reference.nextLong());

        Rng jumped = new Rng(5);
        jumped.jump();
        assertThat(parent).isEqualTo(jumped);

        Rng stream0 = Rng.forStream(5, 0);
        Rng stream2 = Rng.forStream(5, 2);
        Rng twiceLongJumped = new Rng(5);
        twiceLongJumped.longJump();
        twiceLongJumped.longJump();
        assertThat(stream0).isEqualTo(new Rng(5));
        assertThat(stream2).isEqualTo(twiceLongJumped);
        assertThat(stream2.nextLong()).isNotEqualTo(stream0.nextLong());
    }

    @Test
    void nextIntIsUniformAndUnbiased() {
        Rng rng = new Rng(11);
        int[] counts = new int[10];
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts[rng.nextInt(10)]++;
        }
        double chiSquare = 0;
        for (int c : counts) {
            chiSquare += Math.pow(c - n / 10.0, 2) / (n / 10.0);
        }
        assertThat(chiSquare).as("chi-square, 9 degrees of freedom (p=0.001 at 27.9)").isLessThan(27.9);

        // A bound of 3 * 2^29 is where a plain "x % bound" on 32 bits is visibly biased: the lower half of the
        // range would get 56.25% of the draws.
        int bound = 3 << 29;
        int below = 0;
        for (int i = 0; i < n; i++) {
            int v = rng.nextInt(bound);
            assertThat(v).isBetween(0, bound - 1);
            if (v < bound / 2) {
                below++;
            }
        }
        assertThat(below / (double) n).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.005));

        for (int i = 0; i < 1000; i++) {
            assertThat(rng.nextInt(-3, 4)).isBetween(-3, 3);
            assertThat(rng.nextInt(Integer.MIN_VALUE, Integer.MAX_VALUE)).isLessThan(Integer.MAX_VALUE);
        }
    }

    @Test
    void floatsAndGaussiansHaveTheRightMoments() {
        Rng rng = new Rng(3);
        int n = 400_000;
        double sum = 0;
        double min = 1;
        double max = 0;
        for (int i = 0; i < n; i++) {
            float f = rng.nextFloat();
            sum += f;
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        assertThat(min).isGreaterThanOrEqualTo(0.0);
        assertThat(max).isLessThan(1.0);
        assertThat(sum / n).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.002));

        double s1 = 0;
        double s2 = 0;
        double s4 = 0;
        int beyond2 = 0;
        for (int i = 0; i < n; i++) {
            double g = rng.nextGaussian();
            s1 += g;
            s2 += g * g;
            s4 += g * g * g * g;
            if (Math.abs(g) > 2) {
                beyond2++;
            }
        }
        assertThat(s1 / n).isCloseTo(0.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(s2 / n).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(s4 / n).as("kurtosis of a normal is 3").isCloseTo(3.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(beyond2 / (double) n).as("P(|z|>2) = 0.0455").isCloseTo(0.0455, org.assertj.core.data.Offset.offset(0.002));
    }

    @Test
    void shuffleIsADeterministicPermutation() {
        int[] a = IntStream.range(0, 100).toArray();
        int[] b = IntStream.range(0, 100).toArray();
        new Rng(8).shuffle(a);
        new Rng(8).shuffle(b);
        assertThat(a).containsExactly(b);
        assertThat(a).containsExactlyInAnyOrder(IntStream.range(0, 100).toArray());
        assertThat(a).isNotEqualTo(IntStream.range(0, 100).toArray());

        List<Integer> list = new ArrayList<>(IntStream.range(0, 100).boxed().toList());
        new Rng(8).shuffle(list);
        assertThat(list.stream().mapToInt(Integer::intValue).toArray()).containsExactly(a);
    }
}
