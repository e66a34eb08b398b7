package dev.bertj.heads.mlm;

import java.util.List;

/**
 * A fill-mask request: a text with one or more {@code [MASK]} tokens, how many candidates to return per mask,
 * and optionally the only words to score (Hugging Face's {@code targets}).
 */
public record FillMaskRequest(String text, int topK, List<String> targets) {

    public static final int DEFAULT_TOP_K = 5;
    /** Above this, top_k stops meaning anything and only costs sorting time. */
    public static final int MAX_TOP_K = 1000;

    public FillMaskRequest {
        if (text == null) {
            throw new IllegalArgumentException("fill-mask needs a text");
        }
        if (topK < 1 || topK > MAX_TOP_K) {
            throw new IllegalArgumentException("top_k must be between 1 and " + MAX_TOP_K + ", got " + topK);
        }
        targets = targets == null ? null : List.copyOf(targets);
    }

    public static FillMaskRequest of(String text) {
        return new FillMaskRequest(text, DEFAULT_TOP_K, null);
    }
}
