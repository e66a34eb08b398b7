package dev.bertj.heads.qa;

/**
 * One training feature: window {@code window} of one question, with its target span as window positions. Every
 * window of a question is a feature; a window that does not hold the whole gold answer (or any window of an
 * unanswerable question) points both targets at [CLS], position 0, as BERT's run_squad.py and Hugging Face's
 * run_qa.py do.
 */
public record QaFeature(SquadExample example, QaInput input, int window, int startPosition, int endPosition) {

    QaInput.Window windowSpec() {
        return input.windows.get(window);
    }

    /** Whether this window holds the answer (the targets are not [CLS]). */
    public boolean hasAnswer() {
        return startPosition > 0;
    }
}
