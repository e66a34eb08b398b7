package dev.bertj.core.pretrain.data;

import java.util.Arrays;

/**
 * A batch of pre-training features in flat row-major arrays, padded like the features the reference writes
 * ({@code write_instance_to_example_files}): every row has {@code maxSeqLength} token positions and
 * {@code maxPredictionsPerSeq} prediction slots. Allocated once and refilled by {@link PretrainingBatcher}.
 *
 * <ul>
 *   <li>{@link #inputIds} [batch x maxSeqLength]: token ids after masking, padded with the vocabulary's
 *       {@code [PAD]} id;</li>
 *   <li>{@link #tokenTypeIds} [batch x maxSeqLength]: 0 for {@code [CLS] A [SEP]}, 1 for {@code B [SEP]}, 0 in
 *       padding (the reference's {@code segment_ids});</li>
 *   <li>{@link #attentionMask} [batch x maxSeqLength]: 1 for real tokens, 0 for padding ({@code input_mask});</li>
 *   <li>{@link #maskedLmPositions}, {@link #maskedLmIds} [batch x maxPredictionsPerSeq]: masked positions and their
 *       original ids, padded with 0;</li>
 *   <li>{@link #maskedLmWeights} [batch x maxPredictionsPerSeq]: 1 for a real prediction, 0 for padding;</li>
 *   <li>{@link #nextSentenceLabels} [batch]: 1 when segment B is a random next segment, 0 when it is the actual
 *       next.</li>
 * </ul>
 * Rows at or after {@link #size()} are all padding (weights and mask 0).
 */
public final class PretrainingBatch {

    public final int batchSize;
    public final int maxSeqLength;
    public final int maxPredictionsPerSeq;
    private final int padId;

    public final int[] inputIds;
    public final int[] tokenTypeIds;
    public final int[] attentionMask;
    public final int[] maskedLmPositions;
    public final int[] maskedLmIds;
    public final float[] maskedLmWeights;
    public final int[] nextSentenceLabels;

    private int size;

    public PretrainingBatch(int batchSize, int maxSeqLength, int maxPredictionsPerSeq, int padId) {
        if (batchSize < 1 || maxSeqLength < 1 || maxPredictionsPerSeq < 1) {
            throw new IllegalArgumentException("batch " + batchSize + ", sequence " + maxSeqLength
                    + " and predictions " + maxPredictionsPerSeq + " must all be positive");
        }
        this.batchSize = batchSize;
        this.maxSeqLength = maxSeqLength;
        this.maxPredictionsPerSeq = maxPredictionsPerSeq;
        this.padId = padId;
        inputIds = new int[batchSize * maxSeqLength];
        tokenTypeIds = new int[batchSize * maxSeqLength];
        attentionMask = new int[batchSize * maxSeqLength];
        maskedLmPositions = new int[batchSize * maxPredictionsPerSeq];
        maskedLmIds = new int[batchSize * maxPredictionsPerSeq];
        maskedLmWeights = new float[batchSize * maxPredictionsPerSeq];
        nextSentenceLabels = new int[batchSize];
        clear();
    }

    /** Rows holding instances; the rest are padding. */
    public int size() {
        return size;
    }

    /** Empties the batch: every row becomes padding. */
    public void clear() {
        Arrays.fill(inputIds, padId);
        Arrays.fill(tokenTypeIds, 0);
        Arrays.fill(attentionMask, 0);
        Arrays.fill(maskedLmPositions, 0);
        Arrays.fill(maskedLmIds, 0);
        Arrays.fill(maskedLmWeights, 0f);
        Arrays.fill(nextSentenceLabels, 0);
        size = 0;
    }

    /** Appends an instance as the next row. */
    public void add(TrainingInstance instance) {
        if (size == batchSize) {
            throw new IllegalStateException("batch is full (" + batchSize + " rows)");
        }
        int length = instance.length();
        int predictions = instance.maskedLmPositions().length;
        if (length > maxSeqLength || predictions > maxPredictionsPerSeq) {
            throw new IllegalArgumentException("instance of " + length + " tokens and " + predictions
                    + " predictions does not fit rows of " + maxSeqLength + " and " + maxPredictionsPerSeq);
        }
        int row = size * maxSeqLength;
        System.arraycopy(instance.inputIds(), 0, inputIds, row, length);
        Arrays.fill(tokenTypeIds, row, row + instance.segmentALength(), 0);
        Arrays.fill(tokenTypeIds, row + instance.segmentALength(), row + length, 1);
        Arrays.fill(attentionMask, row, row + length, 1);
        // The rest of the row is padding already (clear() filled it and rows are written once per fill).

        int slot = size * maxPredictionsPerSeq;
        System.arraycopy(instance.maskedLmPositions(), 0, maskedLmPositions, slot, predictions);
        System.arraycopy(instance.maskedLmLabelIds(), 0, maskedLmIds, slot, predictions);
        Arrays.fill(maskedLmWeights, slot, slot + predictions, 1f);

        nextSentenceLabels[size] = instance.isRandomNext() ? 1 : 0;
        size++;
    }
}
