package dev.bertj.core.tokenizer;

import java.util.Objects;

/**
 * How texts become an {@link Encoding}: HF's {@code max_length}, {@code truncation}, {@code stride},
 * {@code padding="max_length"} and {@code add_special_tokens}.
 *
 * <p>With truncation, the tokens that do not fit are not lost: they form the {@link Encoding#overflowing()} windows,
 * each overlapping the previous one by {@code stride} tokens of the truncated sequence (HF's
 * {@code return_overflowing_tokens}; the sliding windows of long-document question answering).
 *
 * @param maxLength        the maximum length including special tokens; 0 means no maximum
 * @param truncation       the truncation strategy; anything but {@link Truncation#NONE} needs a maxLength
 * @param stride           tokens shared by consecutive overflow windows; needs truncation
 * @param padToMaxLength   pad every encoding (and every window) with {@code [PAD]} to maxLength
 * @param addSpecialTokens add {@code [CLS]}/{@code [SEP]} around the texts
 */
public record EncodeOptions(int maxLength, Truncation truncation, int stride, boolean padToMaxLength,
                            boolean addSpecialTokens) {

    /** The longest length padding may fill (2^20 tokens, far beyond any BERT's positions). */
    public static final int MAX_PADDED_LENGTH = 1 << 20;

    /** No truncation, no padding, special tokens on: what {@code tokenizer(text)} does in HF. */
    public static final EncodeOptions DEFAULT = new EncodeOptions(0, Truncation.NONE, 0, false, true);

    public EncodeOptions {
        Objects.requireNonNull(truncation, "truncation");
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be >= 0 (0 means no maximum), got " + maxLength);
        }
        if (stride < 0) {
            throw new IllegalArgumentException("stride must be >= 0, got " + stride);
        }
        if (truncation != Truncation.NONE && maxLength == 0) {
            throw new IllegalArgumentException("truncation " + truncation + " needs a maxLength");
        }
        if (stride > 0 && truncation == Truncation.NONE) {
            throw new IllegalArgumentException("a stride only applies to truncation: set a truncation strategy");
        }
        if (padToMaxLength && maxLength == 0) {
            throw new IllegalArgumentException("padding to maxLength needs a maxLength");
        }
        if (padToMaxLength && maxLength > MAX_PADDED_LENGTH) {
            // Padding allocates maxLength tokens per encoding and window: refuse what only a typo asks for.
            throw new IllegalArgumentException("padding to maxLength " + maxLength + " is refused: at most "
                    + MAX_PADDED_LENGTH + " tokens");
        }
        if (truncation != Truncation.NONE && stride >= maxLength) {
            throw new IllegalArgumentException("stride " + stride + " must be smaller than maxLength " + maxLength
                    + " (each window must advance)");
        }
    }

    /** Truncate to {@code maxLength} tokens (longest first), no padding. */
    public static EncodeOptions truncate(int maxLength) {
        return new EncodeOptions(maxLength, Truncation.LONGEST_FIRST, 0, false, true);
    }

    public EncodeOptions withMaxLength(int value) {
        return new EncodeOptions(value, truncation, stride, padToMaxLength, addSpecialTokens);
    }

    public EncodeOptions withTruncation(Truncation value) {
        return new EncodeOptions(maxLength, value, stride, padToMaxLength, addSpecialTokens);
    }

    public EncodeOptions withStride(int value) {
        return new EncodeOptions(maxLength, truncation, value, padToMaxLength, addSpecialTokens);
    }

    public EncodeOptions withPadToMaxLength(boolean value) {
        return new EncodeOptions(maxLength, truncation, stride, value, addSpecialTokens);
    }

    public EncodeOptions withAddSpecialTokens(boolean value) {
        return new EncodeOptions(maxLength, truncation, stride, padToMaxLength, value);
    }
}
