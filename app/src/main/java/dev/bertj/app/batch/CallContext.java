package dev.bertj.app.batch;

import java.util.function.BooleanSupplier;

/**
 * What the batcher needs to know about the HTTP request a piece of encoder work belongs to: when it stops
 * mattering (the deadline) and whether its client is still there. Travels with the request's thread, and is
 * handed across explicitly when work moves to another thread (plugin calls).
 *
 * @param deadlineNanos {@link System#nanoTime()} after which the work is dropped
 * @param clientGone    true once the client disconnected
 */
public record CallContext(long deadlineNanos, BooleanSupplier clientGone) {

    private static final ThreadLocal<CallContext> CURRENT = new ThreadLocal<>();

    public static CallContext current() {
        return CURRENT.get();
    }

    public boolean expired() {
        return System.nanoTime() - deadlineNanos > 0;
    }

    /** Runs {@code body} with this context as the thread's current one. */
    public <T> T run(java.util.function.Supplier<T> body) {
        CallContext previous = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }
}
