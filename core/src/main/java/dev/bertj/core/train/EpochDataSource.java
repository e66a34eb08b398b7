package dev.bertj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.nn.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Batches from an in-memory list of examples, reshuffled every epoch (fine-tuning's usual loop). The order of
 * epoch {@code e} depends only on the seed and {@code e}, so the position is just (epoch, index).
 *
 * @param <E> example type
 * @param <B> batch type, made from a list of examples by {@code collate}
 */
public final class EpochDataSource<E, B> implements DataSource<B> {

    private final List<E> examples;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final Function<List<E>, B> collate;
    /** Token lengths of the examples when batches are bucketed by length, else null. */
    private final int[] lengths;
    private int[] order;
    private long epoch;
    private int index;

    /**
     * @param shuffle whether each epoch is a fresh permutation (training) or the list order (evaluation)
     * @param collate turns up to {@code batchSize} examples into a batch; the last batch of an epoch may be smaller
     */
    public EpochDataSource(List<E> examples, int batchSize, long seed, boolean shuffle, Function<List<E>, B> collate) {
        this(examples, batchSize, seed, shuffle, collate, null);
    }

    /**
     * Like {@link #EpochDataSource(List, int, long, boolean, Function)}; with {@code lengths} (each example's token
     * length) a shuffled epoch is made of batches of similar length ({@link LengthBuckets}), so that a batch padded
     * to its longest example wastes little. Still a function of the seed and the epoch only.
     */
    public EpochDataSource(List<E> examples, int batchSize, long seed, boolean shuffle, Function<List<E>, B> collate,
                           int[] lengths) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no training examples");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.examples = List.copyOf(examples);
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.collate = collate;
        if (lengths != null && lengths.length != examples.size()) {
            throw new IllegalArgumentException(lengths.length + " lengths for " + examples.size() + " examples");
        }
        this.lengths = lengths == null ? null : lengths.clone();
        startEpoch(0);
    }

    /** Batches per epoch (the last may be smaller than the batch size). */
    public long batchesPerEpoch() {
        return (examples.size() + batchSize - 1) / batchSize;
    }

    public long epoch() {
        return epoch;
    }

    private void startEpoch(long e) {
        epoch = e;
        index = 0;
        order = new int[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle && lengths != null) {
            order = LengthBuckets.order(lengths, batchSize, LengthBuckets.DEFAULT_POOL_BATCHES,
                    seed ^ 0x9e3779b97f4a7c15L * (e + 1));
        } else if (shuffle) {
            new Rng(seed ^ 0x9e3779b97f4a7c15L * (e + 1)).shuffle(order);
        }
    }

    @Override
    public B next() {
        if (index >= order.length) {
            startEpoch(epoch + 1);
        }
        int end = Math.min(order.length, index + batchSize);
        List<E> batch = new ArrayList<>(end - index);
        for (int i = index; i < end; i++) {
            batch.add(examples.get(order[i]));
        }
        index = end;
        return collate.apply(batch);
    }

    @Override
    public JsonNode position() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("epoch", epoch);
        o.put("index", index);
        o.put("examples", examples.size());
        return o;
    }

    @Override
    public void restore(JsonNode position) {
        long e = position.path("epoch").asLong(-1);
        int i = position.path("index").asInt(-1);
        int n = position.path("examples").asInt(-1);
        if (e < 0 || i < 0 || i > examples.size()) {
            throw new IllegalArgumentException("not a position of this data (epoch " + e + ", index " + i + " of "
                    + examples.size() + " examples): " + position);
        }
        if (n != examples.size()) {
            throw new IllegalArgumentException("the saved position is over " + n + " examples, this data has "
                    + examples.size() + ": the training data changed since the checkpoint");
        }
        startEpoch(e);
        index = i;
    }
}
