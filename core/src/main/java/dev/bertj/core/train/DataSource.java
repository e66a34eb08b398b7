package dev.bertj.core.train;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An endless stream of training batches with a position that can be saved and restored, so that a resumed run
 * sees exactly the batches the uninterrupted run would have seen. A source starts its next epoch by itself.
 *
 * @param <B> the batch type
 */
public interface DataSource<B> {

    /** The next batch. */
    B next();

    /**
     * Where the stream is, as JSON (file offsets, epoch, the state of its own {@code Rng}...): after
     * {@code restore(position())} on a fresh source over the same data, {@code next()} returns the same batches.
     */
    JsonNode position();

    /**
     * Moves to a position from {@link #position()}.
     *
     * @throws IllegalArgumentException naming what does not fit (e.g. a position beyond the end of the data)
     */
    void restore(JsonNode position);
}
