package dev.bertj.heads.nsp;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Is {@code textB} the sentence that follows {@code textA}? */
public record NextSentenceRequest(@JsonProperty("text_a") String textA, @JsonProperty("text_b") String textB) {

    public NextSentenceRequest {
        if (textA == null || textB == null) {
            throw new IllegalArgumentException("next-sentence prediction needs text_a and text_b");
        }
    }
}
