package dev.bertj.core.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class OffHeapReclaimerTest {

    @Test
    void collectsWhenNativeGarbageOutgrowsTheSlackAndNotOtherwise() {
        assumeTrue(OffHeapReclaimer.residentBytes() > 0, "needs /proc/self/statm (Linux)");
        OffHeapReclaimer r = new OffHeapReclaimer(256L << 20);
        r.afterStep(); // baseline
        r.afterStep();
        assertThat(r.collections()).as("no growth, no collection").isZero();
        long before = OffHeapReclaimer.residentBytes();
        for (int i = 0; i < 40; i++) {
            Nd4j.create(DataType.FLOAT, 4 << 20).assign(1); // 16 MB of native memory each, unreachable at once
        }
        assertThat(OffHeapReclaimer.residentBytes() - before).as("the garbage is resident").isGreaterThan(256L << 20);
        r.afterStep();
        assertThat(r.collections()).isEqualTo(1);
        r.afterStep();
        assertThat(r.collections()).as("the baseline moved to what remained").isEqualTo(1);
    }

    @Test
    void rejectsANonPositiveSlack() {
        System.setProperty("bertj.train.offHeapSlackMb", "0");
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(OffHeapReclaimer::fromSystemProperties)
                    .hasMessageContaining("offHeapSlackMb");
        } finally {
            System.clearProperty("bertj.train.offHeapSlackMb");
        }
    }
}
