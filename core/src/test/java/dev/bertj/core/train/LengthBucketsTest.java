package dev.bertj.core.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LengthBucketsTest {

    private static int[] lengths(int n) {
        int[] l = new int[n];
        dev.bertj.core.nn.Rng rng = new dev.bertj.core.nn.Rng(9);
        for (int i = 0; i < n; i++) {
            l[i] = 3 + rng.nextInt(120);
        }
        return l;
    }

    @Test
    void everyExampleOnceInBatchesOfSimilarLength() {
        int[] lengths = lengths(1000);
        List<int[]> batches = LengthBuckets.batches(lengths, 16, 10, 42);
        List<Integer> seen = new ArrayList<>();
        long padded = 0;
        for (int[] b : batches) {
            assertThat(b.length).isBetween(1, 16);
            int max = 0;
            for (int i : b) {
                seen.add(i);
                max = Math.max(max, lengths[i]);
            }
            padded += (long) max * b.length;
        }
        assertThat(seen).hasSize(1000).doesNotHaveDuplicates();
        // Batches of 16 in data order pad to about the maximum of 16 draws (~115 of 3..122); sorted pools to
        // about the longest of 16 neighbours in a sorted pool of 160.
        long real = Arrays.stream(lengths).asLongStream().sum();
        long unbucketed = 0;
        for (int from = 0; from < lengths.length; from += 16) {
            int max = 0;
            int to = Math.min(lengths.length, from + 16);
            for (int i = from; i < to; i++) {
                max = Math.max(max, lengths[i]);
            }
            unbucketed += (long) max * (to - from);
        }
        double overhead = (double) padded / real - 1;
        double unbucketedOverhead = (double) unbucketed / real - 1;
        assertThat(unbucketedOverhead).isGreaterThan(0.5);
        assertThat(overhead).isLessThan(unbucketedOverhead / 4);
    }

    @Test
    void sameSeedSameBatchesOtherSeedOthers() {
        int[] lengths = lengths(200);
        List<int[]> a = LengthBuckets.batches(lengths, 8, 5, 1);
        List<int[]> b = LengthBuckets.batches(lengths, 8, 5, 1);
        List<int[]> c = LengthBuckets.batches(lengths, 8, 5, 2);
        assertThat(a).usingElementComparator((x, y) -> Arrays.equals(x, y) ? 0 : 1).isEqualTo(b);
        assertThat(a).usingElementComparator((x, y) -> Arrays.equals(x, y) ? 0 : 1).isNotEqualTo(c);
    }
}
