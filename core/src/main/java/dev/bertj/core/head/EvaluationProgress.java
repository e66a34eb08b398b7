package dev.bertj.core.head;

/**
 * Told how far an evaluation has got, in the head's own unit (questions, sentences, pairs): scoring the SQuAD dev
 * set takes over half an hour on two cores, and a command that is silent that long looks hung.
 */
@FunctionalInterface
public interface EvaluationProgress {

    /** Reports nothing. */
    EvaluationProgress NONE = (done, total, unit) -> { };

    /** {@code done} of {@code total} {@code unit} (plural, e.g. "questions") are scored. */
    void scored(int done, int total, String unit);
}
