package dev.bertj.heads.classification;

import java.util.List;

/**
 * A labelled text or text pair. Single-label data has exactly one label; multi-label data any number (none
 * included).
 */
public record ClassificationExample(String text, String textPair, List<String> labels) {

    public ClassificationExample {
        if (text == null) {
            throw new IllegalArgumentException("a classification example needs a text");
        }
        labels = List.copyOf(labels);
    }

    public static ClassificationExample of(String text, String label) {
        return new ClassificationExample(text, null, List.of(label));
    }

    public static ClassificationExample pair(String text, String textPair, String label) {
        return new ClassificationExample(text, textPair, List.of(label));
    }

    public String label() {
        if (labels.size() != 1) {
            throw new IllegalStateException("not a single-label example: " + labels);
        }
        return labels.get(0);
    }
}
