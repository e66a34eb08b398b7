package dev.bertj.app.api;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** The JSON bodies of the inference endpoints, field for field as Hugging Face pipelines and TEI name them. */
public final class Requests {

    private Requests() {
    }

    /** {@code POST /v1/embed} (TEI's {@code /embed}, plus pooling and model). */
    public record Embed(Texts inputs, String pooling, Boolean normalize, Boolean truncate, String model) {
    }

    /** {@code POST /v1/fill-mask}. */
    public record FillMask(Texts inputs, @JsonProperty("top_k") Integer topK, Texts targets, String model) {
    }

    /** {@code POST /v1/next-sentence}. */
    public record NextSentence(@JsonProperty("text_a") String textA, @JsonProperty("text_b") String textB,
                               String model) {
    }

    /** {@code POST /v1/question-answering}. */
    public record QuestionAnswering(String question, String context, @JsonProperty("top_k") Integer topK,
                                    @JsonProperty("doc_stride") Integer docStride,
                                    @JsonProperty("max_answer_len") Integer maxAnswerLen,
                                    @JsonProperty("max_seq_len") Integer maxSeqLen,
                                    @JsonProperty("max_question_len") Integer maxQuestionLen,
                                    @JsonProperty("handle_impossible_answer") Boolean handleImpossibleAnswer,
                                    @JsonProperty("null_threshold") Double nullThreshold,
                                    String model) {
    }

    /** {@code POST /v1/text-classification}. */
    public record TextClassification(Texts inputs, @JsonProperty("text_pair") String textPair,
                                     @JsonProperty("top_k") Integer topK, String model) {
    }

    /** {@code POST /v1/translation}. */
    public record Translation(Texts inputs, @JsonProperty("num_beams") Integer numBeams,
                              @JsonProperty("max_length") Integer maxLength, String model) {
    }
}
