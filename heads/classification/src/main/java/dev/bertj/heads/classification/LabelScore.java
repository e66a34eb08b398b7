package dev.bertj.heads.classification;

/** One label and its probability (softmax for single-label heads, sigmoid for multi-label heads). */
public record LabelScore(String label, double score) {
}
