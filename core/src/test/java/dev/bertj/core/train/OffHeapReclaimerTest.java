package dev.bertj.core.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffHeapReclaimerTest {

    private static final long MB = 1L << 20;

    /** Resident sizes read in turn; a collection is recorded and (like a real one) shrinks the next reading. */
    private static final class FakeProcess {
        final ArrayDeque<Long> readings;
        int collections;

        FakeProcess(List<Long> readings) {
            this.readings = new ArrayDeque<>(readings);
        }
    }

    @Test
    void collectsOnlyWhenTheResidentSetOutgrowsTheSlackSinceTheLastCollection() {
        // step readings (MB): 1000 baseline, 1500, 2900 (< 1000 + 2048), 3100 -> collect, after it 2600 (new
        // baseline: live growth such as a filling cache), 4000 (< 2600 + 2048), 4700 -> collect, after it 1200
        FakeProcess p = new FakeProcess(List.of(1000 * MB, 1500 * MB, 2900 * MB, 3100 * MB, 2600 * MB, 4000 * MB,
                4700 * MB, 1200 * MB, 3000 * MB));
        OffHeapReclaimer r = new OffHeapReclaimer(2048 * MB, p.readings::poll, () -> p.collections++);
        r.afterStep();
        r.afterStep();
        r.afterStep();
        assertThat(p.collections).isZero();
        r.afterStep();
        assertThat(p.collections).isEqualTo(1);
        r.afterStep();
        assertThat(p.collections).as("the baseline moved to what remained after the collection").isEqualTo(1);
        r.afterStep();
        assertThat(p.collections).isEqualTo(2);
        r.afterStep();
        assertThat(p.collections).as("3000 is within 1200 + 2048").isEqualTo(2);
        assertThat(r.collections()).isEqualTo(2);
    }

    @Test
    void doesNothingWhereTheResidentSetIsUnknown() {
        int[] collections = {0};
        OffHeapReclaimer r = new OffHeapReclaimer(MB, () -> -1, () -> collections[0]++);
        for (int i = 0; i < 5; i++) {
            r.afterStep();
        }
        assertThat(collections[0]).isZero();
    }

    @Test
    void readsTheResidentSetOnLinux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/statm")), "Linux only");
        assertThat(OffHeapReclaimer.residentBytes()).isGreaterThan(10 * MB);
    }

    @Test
    void rejectsANonPositiveSlack() {
        System.setProperty("bertj.train.offHeapSlackMb", "0");
        try {
            assertThatThrownBy(OffHeapReclaimer::fromSystemProperties).hasMessageContaining("offHeapSlackMb");
        } finally {
            System.clearProperty("bertj.train.offHeapSlackMb");
        }
    }
}
