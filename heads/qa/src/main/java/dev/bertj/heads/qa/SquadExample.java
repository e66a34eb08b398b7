package dev.bertj.heads.qa;

import java.util.List;

/**
 * One question of a SQuAD-format file: its id, the question, the paragraph it is about, and the gold answers
 * (character offsets into the paragraph). A SQuAD 2.0 question without an answer has {@code impossible} set and no
 * answers.
 */
public record SquadExample(String id, String question, String context, List<GoldAnswer> answers, boolean impossible) {

    /** A gold answer: its text and where it starts in the context (Java String index). */
    public record GoldAnswer(String text, int start) {

        public int end() {
            return start + text.length();
        }
    }

    public SquadExample {
        answers = List.copyOf(answers);
    }

    /** The gold answer texts, as the official evaluation script compares against (empty for unanswerable). */
    public List<String> answerTexts() {
        return answers.stream().map(GoldAnswer::text).toList();
    }
}
