package dev.bertj.app.batch;

/** Observes the batcher for metrics; called on the batcher's thread, so it must be quick. */
public interface BatchListener {

    /**
     * One encoder batch ran.
     *
     * @param sequences    sequences in the batch
     * @param paddedTokens sequences x padded length (what the encoder computed)
     * @param realTokens   tokens that were not padding
     * @param nanos        time the encoder took
     */
    void batch(int sequences, int paddedTokens, int realTokens, long nanos);

    /** Work dropped before it ran: client gone, timed out, or rejected at the door. */
    default void dropped(BatchRejectedException.Reason reason, int sequences) {
    }

    BatchListener NONE = (s, p, r, n) -> { };
}
