package dev.bertj.heads.classification;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/** Labels with scores, best first; serialised as Hugging Face's {@code [{"label", "score"}, ...]}. */
public record ClassificationAnswer(@JsonValue List<LabelScore> labels) {

    public ClassificationAnswer {
        labels = List.copyOf(labels);
    }

    /** The best label, or null when a multi-label head found none above its threshold. */
    public String best() {
        return labels.isEmpty() ? null : labels.get(0).label();
    }
}
