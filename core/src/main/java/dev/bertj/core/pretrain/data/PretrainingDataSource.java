package dev.bertj.core.pretrain.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.train.DataSource;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Endless pre-training batches for the {@link dev.bertj.core.train.Trainer}: a {@link PretrainingDataGenerator}
 * that starts a new pass (new segments and masks) whenever the input ends, behind a {@link PretrainingBatcher}.
 * The position is the generator's {@link DataPosition} as {@code {"pretrainingData": "bertj-data-position/1;..."}}.
 *
 * <p>{@link #next()} returns the same {@link PretrainingBatch} object every call, refilled: use it before asking
 * for the next one.
 */
public final class PretrainingDataSource implements DataSource<PretrainingBatch>, Closeable {

    private static final String KEY = "pretrainingData";

    private final List<Path> files;
    private final WordPieceIds vocab;
    private final PretrainingOptions options;
    private final int batchSize;
    private PretrainingDataGenerator generator;
    private PretrainingBatcher batcher;

    /** @param options the generation options; their pass count is ignored, since a data source never ends */
    public PretrainingDataSource(List<Path> files, WordPieceIds vocab, PretrainingOptions options, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.files = List.copyOf(files);
        this.vocab = vocab;
        this.options = options.withEpochs(0);
        this.batchSize = batchSize;
        use(PretrainingDataGenerator.open(this.files, vocab, this.options));
    }

    private void use(PretrainingDataGenerator g) {
        if (generator != null) {
            generator.close();
        }
        generator = g;
        batcher = new PretrainingBatcher(g, batchSize, vocab);
    }

    @Override
    public PretrainingBatch next() {
        try {
            PretrainingBatch batch = batcher.next();
            if (batch == null) {
                throw new IllegalStateException("endless pre-training data ended");
            }
            return batch;
        } catch (IOException e) {
            throw new UncheckedIOException("reading pre-training data: " + e.getMessage(), e);
        }
    }

    /** The position after the last batch returned. */
    public DataPosition dataPosition() {
        return generator.position();
    }

    @Override
    public JsonNode position() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put(KEY, generator.position().encode());
        return o;
    }

    @Override
    public void restore(JsonNode position) {
        JsonNode p = position == null ? null : position.get(KEY);
        if (p == null || !p.isTextual()) {
            throw new IllegalArgumentException("not a pre-training data position (no '" + KEY + "'): " + position);
        }
        use(PretrainingDataGenerator.resume(files, vocab, options, DataPosition.decode(p.asText())));
    }

    @Override
    public void close() {
        generator.close();
    }
}
