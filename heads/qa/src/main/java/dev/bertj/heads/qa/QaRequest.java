package dev.bertj.heads.qa;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A question about a context, with Hugging Face's question-answering pipeline options. Options left null take
 * the head's defaults ({@code head.json}).
 *
 * @param topK                   how many answers to return; more than 1 returns a list
 * @param maxAnswerLen           the longest answer in WordPiece tokens
 * @param handleImpossibleAnswer whether "no answer" (the empty string, scored from [CLS]) competes with the spans
 * @param nullThreshold          SQuAD 2.0's null-score difference threshold, in probability units: the empty answer
 *                               ranks as if its score were {@code null_score - null_threshold}
 */
public record QaRequest(String question, String context,
                        @JsonProperty("top_k") Integer topK,
                        @JsonProperty("max_answer_len") Integer maxAnswerLen,
                        @JsonProperty("handle_impossible_answer") Boolean handleImpossibleAnswer,
                        @JsonProperty("null_threshold") Double nullThreshold) {

    /** Above this, top_k stops meaning anything and only costs time. */
    public static final int MAX_TOP_K = 100;

    public QaRequest {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("question answering needs a non-empty question");
        }
        if (context == null || context.isBlank()) {
            throw new IllegalArgumentException("question answering needs a non-empty context");
        }
        if (topK != null && (topK < 1 || topK > MAX_TOP_K)) {
            throw new IllegalArgumentException("top_k must be between 1 and " + MAX_TOP_K + ", got " + topK);
        }
        if (maxAnswerLen != null && maxAnswerLen < 1) {
            throw new IllegalArgumentException("max_answer_len must be >= 1, got " + maxAnswerLen);
        }
        if (nullThreshold != null && !Double.isFinite(nullThreshold)) {
            throw new IllegalArgumentException("null_threshold must be a finite number, got " + nullThreshold);
        }
    }

    /** A question with the head's defaults. */
    public static QaRequest of(String question, String context) {
        return new QaRequest(question, context, null, null, null, null);
    }

    public QaRequest withTopK(int k) {
        return new QaRequest(question, context, k, maxAnswerLen, handleImpossibleAnswer, nullThreshold);
    }
}
