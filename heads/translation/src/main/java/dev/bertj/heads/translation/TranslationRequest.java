package dev.bertj.heads.translation;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A translation request, as Hugging Face's translation pipeline takes it: the source text ({@code inputs}) and
 * optionally the beam size ({@code num_beams}, 1 = greedy) and the maximum length ({@code max_length}, HF's
 * meaning: the decoder sequence including its start token, so at most {@code max_length - 1} generated tokens).
 * Absent options take the head's defaults (head.json).
 */
public record TranslationRequest(String inputs, @JsonProperty("num_beams") Integer numBeams,
                                 @JsonProperty("max_length") Integer maxLength) {

    /** Far beyond any useful beam; a guard against requests that would only burn CPU. */
    public static final int MAX_BEAMS = 64;

    public TranslationRequest {
        if (inputs == null) {
            throw new IllegalArgumentException("translation needs 'inputs' (the source text)");
        }
        if (numBeams != null && (numBeams < 1 || numBeams > MAX_BEAMS)) {
            throw new IllegalArgumentException("num_beams must be between 1 and " + MAX_BEAMS + ", got " + numBeams);
        }
        if (maxLength != null && maxLength < 2) {
            throw new IllegalArgumentException("max_length must be at least 2 (the start token and one more), got "
                    + maxLength);
        }
    }

    public static TranslationRequest of(String inputs) {
        return new TranslationRequest(inputs, null, null);
    }
}
