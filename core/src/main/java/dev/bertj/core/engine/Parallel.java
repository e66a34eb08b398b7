package dev.bertj.core.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * Splits the fused Java loops (LayerNorm, GELU, softmax, bias adds) across the cores. The caller runs the first
 * share itself, so one core's worth of work never waits for a thread switch, and work too small to pay for a
 * hand-off runs inline. One pool for the process, daemon threads, sized by {@code OMP_NUM_THREADS} as chosen
 * by {@link CpuSetup} (the same count OpenBLAS uses; the two never run at the same time in one forward pass).
 */
public final class Parallel {

    /** A body over the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static final int THREADS = threadCount();
    private static final ForkJoinPool POOL = THREADS <= 1 ? null : new ForkJoinPool(THREADS - 1, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("bertj-compute-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    private Parallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in up to {@link #threads()} contiguous shares of at least
     * {@code minPerShare} items each; returns when all are done. Exceptions propagate to the caller.
     */
    public static void forRange(int n, int minPerShare, Range body) {
        int shares = Math.min(THREADS, n / Math.max(1, minPerShare));
        if (shares <= 1 || POOL == null || Thread.currentThread() instanceof ForkJoinWorkerThread) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[shares - 1];
        for (int s = 1; s < shares; s++) {
            int from = (int) ((long) n * s / shares);
            int to = (int) ((long) n * (s + 1) / shares);
            others[s - 1] = POOL.submit(new Share(body, from, to));
        }
        RuntimeException failure = null;
        try {
            body.run(0, (int) ((long) n / shares));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : others) {
            try {
                t.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Rows per share for a row loop whose row costs about as much as {@code cost} simple float operations: each
     * share gets at least 64K of them (tens of microseconds), below which waking another thread costs more than it
     * saves, on a busy machine especially.
     */
    public static int rowsPerShare(int cost) {
        return Math.max(1, (1 << 16) / Math.max(1, cost));
    }

    private static int threadCount() {
        String n = CpuSetup.ensure().ompNumThreads();
        try {
            return Math.max(1, Integer.parseInt(n.trim()));
        } catch (RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static final class Share extends RecursiveAction {
        private final Range body;
        private final int from;
        private final int to;

        Share(Range body, int from, int to) {
            this.body = body;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            body.run(from, to);
        }
    }
}
