package dev.bertj.core.pretrain.data;

import java.io.IOException;

/** Fills {@link PretrainingBatch}es from a {@link PretrainingDataGenerator}, reusing one set of arrays. */
public final class PretrainingBatcher {

    private final PretrainingDataGenerator generator;
    private final PretrainingBatch batch;

    public PretrainingBatcher(PretrainingDataGenerator generator, int batchSize, WordPieceIds vocab) {
        PretrainingOptions o = generator.options();
        this.generator = generator;
        this.batch = new PretrainingBatch(batchSize, o.maxSeqLength(), o.maxPredictionsPerSeq(), vocab.padId());
    }

    /**
     * Refills the batch with the next instances and returns it, or returns null when the generator has no more
     * instances. The last batch of a finite run may hold fewer than {@code batchSize} rows ({@link
     * PretrainingBatch#size()}); its other rows are padding with zero weights. The returned object is the same
     * every call: consume it before the next call.
     */
    public PretrainingBatch next() throws IOException {
        batch.clear();
        while (batch.size() < batch.batchSize) {
            TrainingInstance instance = generator.next();
            if (instance == null) {
                break;
            }
            batch.add(instance);
        }
        return batch.size() == 0 ? null : batch;
    }

    /** The generator's position after the instances of the last returned batch. */
    public DataPosition position() {
        return generator.position();
    }
}
