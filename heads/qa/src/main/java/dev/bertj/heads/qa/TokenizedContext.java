package dev.bertj.heads.qa;

import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.Truncation;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

/**
 * A context tokenized once (several questions share a SQuAD paragraph): its WordPiece ids, each token's character
 * span in the original text (Java String indices, accents, CJK and surrogate pairs included, as the tokenizer
 * reports them) and the word each token belongs to.
 */
final class TokenizedContext {

    private static final EncodeOptions NO_SPECIAL_TOKENS = new EncodeOptions(0, Truncation.NONE, 0, false, false);

    final String text;
    final int[] ids;
    final int[] charStart;
    final int[] charEnd;
    final int[] wordIds;

    private TokenizedContext(String text, int[] ids, int[] charStart, int[] charEnd, int[] wordIds) {
        this.text = text;
        this.ids = ids;
        this.charStart = charStart;
        this.charEnd = charEnd;
        this.wordIds = wordIds;
    }

    /**
     * BERT tokenizes each text of a pair on its own, so the context's tokens alone are exactly the tokens it has
     * inside {@code [CLS] question [SEP] context [SEP]}.
     */
    static TokenizedContext of(WordPieceTokenizer tokenizer, String context) {
        if (context == null || context.isBlank()) {
            throw new IllegalArgumentException("question answering needs a non-empty context");
        }
        Encoding e = tokenizer.encode(context, null, NO_SPECIAL_TOKENS);
        if (e.length() == 0) {
            throw new IllegalArgumentException("the context has no tokens (only spaces or control characters?)");
        }
        return new TokenizedContext(context, e.ids(), e.offsetStart(), e.offsetEnd(), e.wordIds());
    }

    int length() {
        return ids.length;
    }

    /**
     * Where the word of token {@code t} starts: answers cover whole words, as HF's pipeline aligns them
     * ({@code align_to_words}), so a span that starts on "##ing" still answers "running". The word is taken from
     * the whole context, not a window, so a word cut by a window edge still comes out whole.
     */
    int wordStart(int t) {
        int w = wordIds[t];
        int i = t;
        while (w >= 0 && i > 0 && wordIds[i - 1] == w) {
            i--;
        }
        return charStart[i];
    }

    /** Where the word of token {@code t} ends (exclusive). */
    int wordEnd(int t) {
        int w = wordIds[t];
        int i = t;
        while (w >= 0 && i + 1 < wordIds.length && wordIds[i + 1] == w) {
            i++;
        }
        return charEnd[i];
    }

    /** The first token that ends after character {@code c} (the token holding c, or the next one), or -1. */
    int tokenAtOrAfter(int c) {
        int lo = 0;
        int hi = charEnd.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (charEnd[mid] > c) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo < charEnd.length ? lo : -1;
    }

    /** The last token that starts before character {@code c} (exclusive end of a span), or -1. */
    int tokenBefore(int c) {
        int lo = 0;
        int hi = charStart.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (charStart[mid] < c) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }
}
