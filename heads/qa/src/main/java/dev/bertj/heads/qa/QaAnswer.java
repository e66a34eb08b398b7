package dev.bertj.heads.qa;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One answer in Hugging Face's pipeline shape: its score (probability of the span), the character offsets of the
 * answer in the original context ({@code context.substring(start, end)} is {@code answer}; Java String indices)
 * and the answer text. The "no answer" of SQuAD 2.0 is {@code start = end = 0} with an empty answer.
 */
public record QaAnswer(double score, int start, int end, String answer) {

    @JsonIgnore
    public boolean isNoAnswer() {
        return start == end && answer.isEmpty();
    }
}
