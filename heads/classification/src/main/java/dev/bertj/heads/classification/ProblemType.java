package dev.bertj.heads.classification;

/** Hugging Face's {@code problem_type} for sequence classification (regression is not supported). */
public enum ProblemType {
    /** One label per text: softmax over the labels, cross-entropy. */
    SINGLE_LABEL("single_label_classification"),
    /** Any set of labels per text: one sigmoid per label, binary cross-entropy, a threshold per label. */
    MULTI_LABEL("multi_label_classification");

    private final String hfName;

    ProblemType(String hfName) {
        this.hfName = hfName;
    }

    public String hfName() {
        return hfName;
    }

    public static ProblemType parse(String s) {
        for (ProblemType t : values()) {
            if (t.hfName.equals(s) || t.name().equalsIgnoreCase(s) || t.name().replace("_", "-").equalsIgnoreCase(s)) {
                return t;
            }
        }
        return switch (s) {
            case "single", "multi_class", "multi-class" -> SINGLE_LABEL;
            case "multi", "multi_label" -> MULTI_LABEL;
            default -> throw new IllegalArgumentException("problem_type '" + s
                    + "' is not single_label_classification or multi_label_classification");
        };
    }
}
