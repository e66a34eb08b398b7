package dev.bertj.core.pretrain.data;

import java.util.Arrays;

/**
 * One pre-training example, a sentence pair: {@code [CLS] A [SEP] B [SEP]} after masking, with the positions and
 * original ids of the masked tokens, and whether B was a random segment from another document (the
 * next-sentence label: 1 for random next, 0 for the actual next, as in the reference's
 * {@code next_sentence_labels}).
 *
 * <p>Segment ids are stored as the length of segment A ({@code [CLS] A [SEP]}): positions before it are
 * segment 0, the rest segment 1.
 */
public final class TrainingInstance {

    private final int[] inputIds;
    private final int segmentALength;
    private final boolean isRandomNext;
    private final int[] maskedLmPositions;
    private final int[] maskedLmLabelIds;

    /**
     * @param inputIds          token ids after masking, {@code [CLS] A [SEP] B [SEP]}
     * @param segmentALength    number of leading positions with segment id 0 ({@code [CLS] A [SEP]})
     * @param isRandomNext      whether B is a random segment from another document
     * @param maskedLmPositions masked positions, ascending
     * @param maskedLmLabelIds  the original ids at those positions
     */
    public TrainingInstance(int[] inputIds, int segmentALength, boolean isRandomNext, int[] maskedLmPositions,
                            int[] maskedLmLabelIds) {
        if (segmentALength < 2 || segmentALength > inputIds.length - 2) {
            throw new IllegalArgumentException("segment A length " + segmentALength + " does not fit "
                    + inputIds.length + " tokens");
        }
        if (maskedLmPositions.length != maskedLmLabelIds.length) {
            throw new IllegalArgumentException("masked positions and labels differ in length");
        }
        this.inputIds = inputIds;
        this.segmentALength = segmentALength;
        this.isRandomNext = isRandomNext;
        this.maskedLmPositions = maskedLmPositions;
        this.maskedLmLabelIds = maskedLmLabelIds;
    }

    /** Token ids after masking. The array is shared: do not modify it. */
    public int[] inputIds() {
        return inputIds;
    }

    public int length() {
        return inputIds.length;
    }

    /** Number of leading positions in segment 0: {@code [CLS]}, segment A and the first {@code [SEP]}. */
    public int segmentALength() {
        return segmentALength;
    }

    /** The segment (token type) ids, 0 for {@code [CLS] A [SEP]} and 1 for {@code B [SEP]}; a new array. */
    public int[] segmentIds() {
        int[] ids = new int[inputIds.length];
        Arrays.fill(ids, segmentALength, ids.length, 1);
        return ids;
    }

    public boolean isRandomNext() {
        return isRandomNext;
    }

    /** Masked positions in ascending order. The array is shared: do not modify it. */
    public int[] maskedLmPositions() {
        return maskedLmPositions;
    }

    /** Original ids at the masked positions. The array is shared: do not modify it. */
    public int[] maskedLmLabelIds() {
        return maskedLmLabelIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingInstance t
                && segmentALength == t.segmentALength
                && isRandomNext == t.isRandomNext
                && Arrays.equals(inputIds, t.inputIds)
                && Arrays.equals(maskedLmPositions, t.maskedLmPositions)
                && Arrays.equals(maskedLmLabelIds, t.maskedLmLabelIds);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(inputIds);
        h = 31 * h + segmentALength;
        h = 31 * h + Boolean.hashCode(isRandomNext);
        h = 31 * h + Arrays.hashCode(maskedLmPositions);
        return 31 * h + Arrays.hashCode(maskedLmLabelIds);
    }

    @Override
    public String toString() {
        return "TrainingInstance{ids=" + Arrays.toString(inputIds) + ", segmentALength=" + segmentALength
                + ", isRandomNext=" + isRandomNext + ", maskedLmPositions=" + Arrays.toString(maskedLmPositions)
                + ", maskedLmLabelIds=" + Arrays.toString(maskedLmLabelIds) + "}";
    }
}
