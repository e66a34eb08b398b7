package dev.bertj.heads.classification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.head.HeadFiles;

import java.util.ArrayList;
import java.util.List;

/**
 * The classification head's configuration, saved in {@code head.json} with Hugging Face's names
 * ({@code id2label}, {@code label2id}, {@code problem_type}, {@code classifier_dropout}).
 *
 * @param labels           label names by id
 * @param dropout          dropout on the pooled output while training (HF: classifier_dropout, else
 *                         hidden_dropout_prob)
 * @param maxSeqLen        texts longer than this are truncated at inference (longest first for pairs)
 * @param thresholds       multi-label: the score at or above which a label is predicted, per label
 * @param classWeights     single-label: the loss weight of each label, or null for none
 * @param predictBatchSize texts per encoder call at inference
 */
public record ClassificationSettings(List<String> labels, ProblemType problemType, double dropout, int maxSeqLen,
                                     List<Double> thresholds, List<Double> classWeights, int predictBatchSize) {

    public static final double DEFAULT_THRESHOLD = 0.5;
    public static final int DEFAULT_PREDICT_BATCH_SIZE = 32;

    public ClassificationSettings {
        labels = List.copyOf(labels);
        Labels.check(labels);
        if (problemType == ProblemType.SINGLE_LABEL && labels.size() < 2) {
            throw new IllegalArgumentException("single-label classification needs at least 2 labels, got " + labels);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("classifier_dropout must be in [0, 1), got " + dropout);
        }
        if (maxSeqLen < 3) {
            throw new IllegalArgumentException("max_seq_len must be >= 3, got " + maxSeqLen);
        }
        thresholds = thresholds == null ? java.util.Collections.nCopies(labels.size(), DEFAULT_THRESHOLD)
                : List.copyOf(thresholds);
        if (thresholds.size() != labels.size()) {
            throw new IllegalArgumentException(thresholds.size() + " thresholds for " + labels.size() + " labels");
        }
        if (classWeights != null) {
            classWeights = List.copyOf(classWeights);
            if (classWeights.size() != labels.size()) {
                throw new IllegalArgumentException(classWeights.size() + " class weights for " + labels.size() + " labels");
            }
            if (problemType == ProblemType.MULTI_LABEL) {
                throw new IllegalArgumentException("class_weights apply to single-label classification only");
            }
        }
        if (predictBatchSize < 1) {
            throw new IllegalArgumentException("predict_batch_size must be >= 1, got " + predictBatchSize);
        }
    }

    public int numLabels() {
        return labels.size();
    }

    float[] classWeightArray() {
        if (classWeights == null) {
            return null;
        }
        float[] w = new float[classWeights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = classWeights.get(i).floatValue();
        }
        return w;
    }

    void writeTo(ObjectNode c) {
        c.put("problem_type", problemType.hfName());
        c.put("num_labels", labels.size());
        ObjectNode id2label = c.putObject("id2label");
        ObjectNode label2id = c.putObject("label2id");
        for (int i = 0; i < labels.size(); i++) {
            id2label.put(Integer.toString(i), labels.get(i));
            label2id.put(labels.get(i), i);
        }
        c.put("classifier_dropout", dropout);
        c.put("max_seq_len", maxSeqLen);
        if (problemType == ProblemType.MULTI_LABEL) {
            ObjectNode t = c.putObject("thresholds");
            for (int i = 0; i < labels.size(); i++) {
                t.put(labels.get(i), thresholds.get(i));
            }
        }
        if (classWeights != null) {
            ArrayNode w = c.putArray("class_weights");
            classWeights.forEach(w::add);
        }
        c.put("predict_batch_size", predictBatchSize);
    }

    /** Reads {@link #writeTo}'s object; also Hugging Face's {@code config.json} of a classification model. */
    static ClassificationSettings fromJson(JsonNode c, double defaultDropout, int defaultMaxSeqLen) {
        JsonNode id2label = c.path("id2label");
        if (!id2label.isObject() || id2label.isEmpty()) {
            throw new IllegalArgumentException("no id2label in the head configuration");
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < id2label.size(); i++) {
            JsonNode l = id2label.get(Integer.toString(i));
            if (l == null) {
                throw new IllegalArgumentException("id2label has no entry for id " + i + ": " + id2label);
            }
            labels.add(l.asText());
        }
        ProblemType type = c.hasNonNull("problem_type") ? ProblemType.parse(c.get("problem_type").asText())
                : ProblemType.SINGLE_LABEL;
        List<Double> thresholds = null;
        if (c.path("thresholds").isObject()) {
            thresholds = new ArrayList<>();
            for (String l : labels) {
                thresholds.add(c.path("thresholds").path(l).asDouble(DEFAULT_THRESHOLD));
            }
        }
        List<Double> weights = null;
        if (c.path("class_weights").isArray()) {
            weights = new ArrayList<>();
            for (JsonNode w : c.get("class_weights")) {
                weights.add(w.asDouble());
            }
        }
        double dropout = c.hasNonNull("classifier_dropout") ? c.get("classifier_dropout").asDouble() : defaultDropout;
        return new ClassificationSettings(labels, type, dropout, c.path("max_seq_len").asInt(defaultMaxSeqLen),
                thresholds, weights, c.path("predict_batch_size").asInt(DEFAULT_PREDICT_BATCH_SIZE));
    }

    static ObjectNode newObject() {
        return HeadFiles.json().createObjectNode();
    }
}
