package dev.bertj.core.tokenizer;

import java.util.List;

/**
 * The model input for one text or text pair, aligned token by token: ids, token type (segment) ids, attention mask,
 * token strings, offsets into the original text, and which sequence and word each token came from. Immutable; the
 * array accessors return copies.
 *
 * <p>Offsets are Java {@code String} indices (UTF-16 code units) into the text the token came from (the first or the
 * second text of a pair, see {@link #sequenceIds()}), so {@code text.substring(offsetStart()[i], offsetEnd()[i])} is
 * the token's source span. Tokens without a span ({@code [CLS]}, {@code [SEP]} added by the template, padding) have
 * {@code -1} there, in {@link #sequenceIds()} and in {@link #wordIds()}.
 */
public final class Encoding {

    private final int[] ids;
    private final int[] typeIds;
    private final int[] attentionMask;
    private final int[] specialTokensMask;
    private final String[] tokens;
    private final int[] offsetStart;
    private final int[] offsetEnd;
    private final int[] sequenceIds;
    private final int[] wordIds;
    private final List<Encoding> overflowing;

    Encoding(int[] ids, int[] typeIds, int[] attentionMask, int[] specialTokensMask, String[] tokens,
             int[] offsetStart, int[] offsetEnd, int[] sequenceIds, int[] wordIds, List<Encoding> overflowing) {
        this.ids = ids;
        this.typeIds = typeIds;
        this.attentionMask = attentionMask;
        this.specialTokensMask = specialTokensMask;
        this.tokens = tokens;
        this.offsetStart = offsetStart;
        this.offsetEnd = offsetEnd;
        this.sequenceIds = sequenceIds;
        this.wordIds = wordIds;
        this.overflowing = List.copyOf(overflowing);
    }

    /** The number of tokens, padding included. */
    public int length() {
        return ids.length;
    }

    /** Token ids ({@code input_ids}). */
    public int[] ids() {
        return ids.clone();
    }

    /** Token type ids ({@code token_type_ids}): 0 for {@code [CLS]}, the first text and its {@code [SEP]}, 1 after. */
    public int[] typeIds() {
        return typeIds.clone();
    }

    /** 1 for real tokens, 0 for padding. */
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    /**
     * 1 for tokens the template or padding added ({@code [CLS]}, {@code [SEP]}, {@code [PAD]}), 0 for tokens from the
     * text, including special tokens written in the text itself (HF's {@code special_tokens_mask}).
     */
    public int[] specialTokensMask() {
        return specialTokensMask.clone();
    }

    /** The token strings; continuation pieces keep their {@code ##} prefix. */
    public String[] tokens() {
        return tokens.clone();
    }

    /** Start of each token's span in its source text (UTF-16 index), or -1. */
    public int[] offsetStart() {
        return offsetStart.clone();
    }

    /** End (exclusive) of each token's span in its source text (UTF-16 index), or -1. */
    public int[] offsetEnd() {
        return offsetEnd.clone();
    }

    /** Which text each token came from: 0 first, 1 second, -1 for template tokens and padding. */
    public int[] sequenceIds() {
        return sequenceIds.clone();
    }

    /**
     * The index of the word each token belongs to within its text (HF's {@code word_ids}): consecutive pieces of one
     * word share it, so whole-word masking groups tokens by it. -1 for template tokens and padding.
     */
    public int[] wordIds() {
        return wordIds.clone();
    }

    /**
     * The windows that did not fit after truncation, each a complete encoding with its own special tokens, in HF's
     * order ({@code return_overflowing_tokens}). When both texts of a pair overflow, windows carry their own
     * {@code overflowing()} combinations exactly as HF nests them. Empty when nothing was truncated.
     */
    public List<Encoding> overflowing() {
        return overflowing;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Encoding[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(tokens[i]).append('/').append(ids[i]);
            if (offsetStart[i] >= 0) {
                sb.append('@').append(offsetStart[i]).append('-').append(offsetEnd[i]);
            }
        }
        if (!overflowing.isEmpty()) {
            sb.append(" +").append(overflowing.size()).append(" overflowing");
        }
        return sb.append(']').toString();
    }
}
