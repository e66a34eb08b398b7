package dev.bertj.core.train;

import java.util.stream.IntStream;

/**
 * Runs independent chunks of an element-wise loop on all cores (the common fork-join pool plus the caller).
 * The optimizer and the clipping run between backward passes, so they do not compete with ND4J's own threads.
 */
final class ParallelLoop {

    /** Chunks below this many elements are not worth a hand-off between threads. */
    static final int CHUNK = 1 << 16;

    private ParallelLoop() {
    }

    interface ChunkBody {
        void run(int chunk);
    }

    static void run(int chunks, ChunkBody body) {
        if (chunks == 1 || Runtime.getRuntime().availableProcessors() < 2) {
            for (int c = 0; c < chunks; c++) {
                body.run(c);
            }
        } else {
            IntStream.range(0, chunks).parallel().forEach(body::run);
        }
    }
}
