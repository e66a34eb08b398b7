package dev.bertj.heads.qa;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/**
 * The answers to one question, best first. Serialised as Hugging Face's pipeline does: one object when one answer
 * was asked for (top_k 1), a list when more were.
 */
public record QaResult(List<QaAnswer> answers, boolean asList) {

    public QaResult {
        answers = List.copyOf(answers);
    }

    /** The best answer. */
    public QaAnswer best() {
        return answers.get(0);
    }

    @JsonValue
    public Object hfShape() {
        return asList || answers.size() != 1 ? answers : answers.get(0);
    }
}
