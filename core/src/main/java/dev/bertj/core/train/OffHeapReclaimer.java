package dev.bertj.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Returns ND4J's off-heap garbage to the system during training. ND4J frees an array's native memory only when
 * the garbage collector finds its Java object, and a training step that allocates little on the heap but
 * hundreds of megabytes of native temporaries (a decoder's vocabulary-sized arrays) can go on for many steps
 * before a collection comes: a Multi30k run reached 19 GB of resident memory that way. After each step this looks
 * at the process's resident set (Linux {@code /proc/self/statm}, a few microseconds) and asks for a collection
 * when it has grown by more than {@code slack} bytes since the last one; the baseline then moves to what
 * remains, so live growth (caches filling) never causes a collection per step. Elsewhere it does nothing.
 */
final class OffHeapReclaimer {

    /** Default headroom before a collection is asked for: {@code -Dbertj.train.offHeapSlackMb} overrides it. */
    static final long DEFAULT_SLACK = 2L << 30;

    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE = 4096;

    private final long slack;
    private final java.util.function.LongSupplier resident;
    private final Runnable collect;
    private long baseline = -1;
    private int collections;

    OffHeapReclaimer(long slack) {
        this(slack, Files.isReadable(STATM) ? OffHeapReclaimer::residentBytes : () -> -1, OffHeapReclaimer::collect);
    }

    /** @param resident the resident set in bytes, or -1 when unknown; {@code collect} asks for a collection */
    OffHeapReclaimer(long slack, java.util.function.LongSupplier resident, Runnable collect) {
        this.slack = slack;
        this.resident = resident;
        this.collect = collect;
    }

    private static void collect() {
        System.gc();
        // ND4J's deallocator thread frees after the collection; give it a moment before measuring what remains.
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static OffHeapReclaimer fromSystemProperties() {
        long mb = Long.getLong("bertj.train.offHeapSlackMb", DEFAULT_SLACK >> 20);
        if (mb <= 0) {
            throw new IllegalArgumentException("bertj.train.offHeapSlackMb must be positive, got " + mb);
        }
        return new OffHeapReclaimer(mb << 20);
    }

    /** Called after a training step. */
    void afterStep() {
        long rss = resident.getAsLong();
        if (rss < 0) {
            return;
        }
        if (baseline < 0) {
            baseline = rss;
            return;
        }
        if (rss > baseline + slack) {
            collect.run();
            collections++;
            long after = resident.getAsLong();
            baseline = after < 0 ? rss : after;
        }
    }

    int collections() {
        return collections;
    }

    static long residentBytes() {
        try {
            String[] f = Files.readString(STATM).trim().split("\\s+");
            return Long.parseLong(f[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
