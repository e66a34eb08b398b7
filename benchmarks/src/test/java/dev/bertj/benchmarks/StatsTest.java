package dev.bertj.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class StatsTest {

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Stats.median(new double[] {5, 1, 3})).isEqualTo(3);
        assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Stats.median(List.of(7.0))).isEqualTo(7);
    }

    @Test
    void percentilesInterpolateBetweenClosestRanks() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i; // 1..100, unsorted
        }
        // rank (n - 1) p / 100: p95 -> 94.05 -> between 95 and 96
        assertThat(Stats.percentile(v, 95)).isCloseTo(95.05, within(1e-9));
        assertThat(Stats.percentile(v, 99)).isCloseTo(99.01, within(1e-9));
        assertThat(Stats.percentile(v, 0)).isEqualTo(1);
        assertThat(Stats.percentile(v, 100)).isEqualTo(100);
        assertThat(Stats.percentile(v, 50)).isEqualTo(Stats.median(v));
    }

    @Test
    void percentileOfOneValueIsThatValue() {
        assertThat(Stats.percentile(new double[] {42}, 99)).isEqualTo(42);
    }

    @Test
    void doesNotReorderTheCallersArray() {
        double[] v = {3, 1, 2};
        Stats.percentile(v, 50);
        assertThat(v).containsExactly(3, 1, 2);
    }

    @Test
    void rejectsEmptyInputAndBadPercentiles() {
        assertThatThrownBy(() -> Stats.median(new double[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.percentile(new double[] {1}, 101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Stats.percentile(new double[] {1}, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
