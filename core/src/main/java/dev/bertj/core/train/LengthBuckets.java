package dev.bertj.core.train;

import dev.bertj.core.nn.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Length bucketing for dynamic padding: batches of examples of similar length, so that a batch padded to its
 * longest member wastes little. The examples are shuffled (seeded), taken in pools of {@code poolBatches}
 * batches, each pool sorted by length and cut into batches, and the batches shuffled, so that batches stay random
 * in content and order while their lengths are uniform. Only the very last pool can end in a short batch, and it
 * stays last, so the batches laid end to end are again cut into the same batches by a fixed batch size.
 */
public final class LengthBuckets {

    /** Batches per sorted pool: large enough to find similar lengths, small enough to keep batches random. */
    public static final int DEFAULT_POOL_BATCHES = 50;

    private LengthBuckets() {
    }

    /** Indices into {@code lengths}, grouped into batches of {@code batchSize} (the last batches may be smaller). */
    public static List<int[]> batches(int[] lengths, int batchSize, int poolBatches, long seed) {
        if (batchSize < 1 || poolBatches < 1) {
            throw new IllegalArgumentException("batch size and pool size must be >= 1");
        }
        Rng rng = new Rng(seed);
        int n = lengths.length;
        Integer[] order = new Integer[n];
        int[] shuffled = new int[n];
        for (int i = 0; i < n; i++) {
            shuffled[i] = i;
        }
        rng.shuffle(shuffled);
        for (int i = 0; i < n; i++) {
            order[i] = shuffled[i];
        }
        int pool = batchSize * poolBatches;
        List<int[]> batches = new ArrayList<>((n + batchSize - 1) / batchSize);
        for (int from = 0; from < n; from += pool) {
            Integer[] part = Arrays.copyOfRange(order, from, Math.min(n, from + pool));
            // Stable sort: equal lengths keep their shuffled order.
            Arrays.sort(part, (a, b) -> Integer.compare(lengths[a], lengths[b]));
            for (int b = 0; b < part.length; b += batchSize) {
                int[] batch = new int[Math.min(batchSize, part.length - b)];
                for (int i = 0; i < batch.length; i++) {
                    batch[i] = part[b + i];
                }
                batches.add(batch);
            }
        }
        int[] shortBatch = n % batchSize != 0 ? batches.remove(batches.size() - 1) : null;
        rng.shuffle(batches);
        if (shortBatch != null) {
            batches.add(shortBatch);
        }
        return batches;
    }

    /** The batches laid end to end: a permutation of the indices whose consecutive runs of {@code batchSize} are them. */
    public static int[] order(int[] lengths, int batchSize, int poolBatches, long seed) {
        int[] order = new int[lengths.length];
        int k = 0;
        for (int[] b : batches(lengths, batchSize, poolBatches, seed)) {
            System.arraycopy(b, 0, order, k, b.length);
            k += b.length;
        }
        return order;
    }

    /** The examples themselves in batches of similar length. */
    public static <E> List<List<E>> batches(List<E> examples, ToIntFunction<E> length, int batchSize, long seed) {
        int[] lengths = new int[examples.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = length.applyAsInt(examples.get(i));
        }
        List<List<E>> out = new ArrayList<>();
        for (int[] batch : batches(lengths, batchSize, DEFAULT_POOL_BATCHES, seed)) {
            List<E> b = new ArrayList<>(batch.length);
            for (int i : batch) {
                b.add(examples.get(i));
            }
            out.add(b);
        }
        return out;
    }
}
