package dev.bertj.heads.classification;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A text (or a pair of texts) to classify, in Hugging Face's text-classification shape. {@code top_k} null takes
 * the head's default: the best label for single-label heads, the labels above their thresholds for multi-label
 * heads; a number returns that many labels, best first.
 */
public record ClassificationRequest(String text, @JsonProperty("text_pair") String textPair,
                                    @JsonProperty("top_k") Integer topK) {

    public ClassificationRequest {
        if (text == null) {
            throw new IllegalArgumentException("classification needs a text");
        }
        if (topK != null && topK < 1) {
            throw new IllegalArgumentException("top_k must be >= 1, got " + topK);
        }
    }

    public static ClassificationRequest of(String text) {
        return new ClassificationRequest(text, null, null);
    }

    public static ClassificationRequest pair(String text, String textPair) {
        return new ClassificationRequest(text, textPair, null);
    }

    public ClassificationRequest withTopK(int k) {
        return new ClassificationRequest(text, textPair, k);
    }
}
