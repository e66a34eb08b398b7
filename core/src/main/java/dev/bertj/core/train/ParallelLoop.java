package dev.bertj.core.train;

import dev.bertj.core.engine.Parallel;

/**
 * Runs independent chunks of an element-wise loop on all cores through the engine's pool
 * ({@link Parallel}). The optimizer and the clipping run between backward passes, so they do not compete with
 * ND4J's own threads.
 */
final class ParallelLoop {

    /** Work is handed out in chunks of at most this many elements (one tensor may make many chunks). */
    static final int CHUNK = 1 << 16;

    /**
     * Size of the per-thread staging arrays. Loops copy a slice of each direct buffer into plain arrays, work there
     * and copy back: the JIT vectorizes array loops (sqrt and division included) but not element-wise buffer
     * access, which makes the optimizer ~3.5x faster; slices this small stay in L2 cache, so the copies cost little.
     */
    static final int SLICE = 1 << 14;

    private static final ThreadLocal<float[][]> STAGING = ThreadLocal.withInitial(() -> new float[4][SLICE]);

    private ParallelLoop() {
    }

    /** Four arrays of {@link #SLICE} floats owned by the calling thread, allocated once per thread. */
    static float[][] staging() {
        return STAGING.get();
    }

    interface ChunkBody {
        void run(int chunk);
    }

    static void run(int chunks, ChunkBody body) {
        Parallel.forRange(chunks, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                body.run(c);
            }
        });
    }
}
