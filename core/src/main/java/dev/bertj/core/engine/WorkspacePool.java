package dev.bertj.core.engine;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

/**
 * A pool of reusable workspaces (activation buffers) for concurrent callers: each call takes one, uses it alone
 * and gives it back, so callers never share buffers and the steady state allocates nothing. The most recently
 * returned workspace is handed out first (its memory is warm). At most {@code maxIdle} are kept; extras are
 * closed, so memory stays bounded by the peak concurrency.
 */
public final class WorkspacePool<W extends AutoCloseable> implements AutoCloseable {

    private final Supplier<W> factory;
    private final int maxIdle;
    private final ConcurrentLinkedDeque<W> idle = new ConcurrentLinkedDeque<>();

    public WorkspacePool(Supplier<W> factory, int maxIdle) {
        this.factory = factory;
        this.maxIdle = maxIdle;
    }

    public W acquire() {
        W w = idle.pollFirst();
        return w != null ? w : factory.get();
    }

    public void release(W w) {
        if (idle.size() < maxIdle) {
            idle.offerFirst(w);
        } else {
            closeQuietly(w);
        }
    }

    public int idleCount() {
        return idle.size();
    }

    /** Closes every idle workspace (those in use are closed when released after this, if over the limit). */
    @Override
    public void close() {
        W w;
        while ((w = idle.pollFirst()) != null) {
            closeQuietly(w);
        }
    }

    private static void closeQuietly(AutoCloseable w) {
        try {
            w.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot release workspace: " + e.getMessage(), e);
        }
    }
}
