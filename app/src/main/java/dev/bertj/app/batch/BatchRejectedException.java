package dev.bertj.app.batch;

/** Why the batcher did not run a request: its queue was full, it waited too long, or its client left. */
public final class BatchRejectedException extends RuntimeException {

    public enum Reason {
        /** The queue holds as many sequences as it may; retry after {@link #retryAfterSeconds()}. */
        QUEUE_FULL,
        /** The request's deadline passed before its encoder work finished. */
        TIMED_OUT,
        /** The client disconnected; its queued work was dropped. */
        CLIENT_GONE,
        /** The encoder was unloaded or the service is shutting down. */
        CLOSED
    }

    private final Reason reason;
    private final long retryAfterSeconds;

    public BatchRejectedException(Reason reason, String message, long retryAfterSeconds) {
        super(message);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Reason reason() {
        return reason;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
