package dev.bertj.heads.qa;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * The question-answering head's configuration, saved in {@code head.json}: windowing, answer decoding defaults
 * (a request may override them) and the inference batch size.
 *
 * @param maxAnswerLen           longest answer in tokens (Google's run_squad: 30; HF's pipeline: 15)
 * @param handleImpossibleAnswer whether "no answer" competes with spans by default (train on SQuAD 2.0 for this)
 * @param nullThreshold          default null-score difference threshold, in probability units
 * @param predictBatchSize       windows per encoder call at inference
 */
public record QaSettings(WindowSettings windows, int maxAnswerLen, boolean handleImpossibleAnswer,
                         double nullThreshold, int predictBatchSize) {

    public static final int DEFAULT_MAX_ANSWER_LEN = 30;
    public static final int DEFAULT_PREDICT_BATCH_SIZE = 16;

    public static final QaSettings DEFAULT = new QaSettings(WindowSettings.DEFAULT, DEFAULT_MAX_ANSWER_LEN, false,
            0.0, DEFAULT_PREDICT_BATCH_SIZE);

    public QaSettings {
        if (maxAnswerLen < 1) {
            throw new IllegalArgumentException("max_answer_len must be >= 1, got " + maxAnswerLen);
        }
        if (predictBatchSize < 1) {
            throw new IllegalArgumentException("predict_batch_size must be >= 1, got " + predictBatchSize);
        }
        if (!Double.isFinite(nullThreshold)) {
            throw new IllegalArgumentException("null_threshold must be finite, got " + nullThreshold);
        }
    }

    /** Settings from head options (strings, as given on the command line); unset options keep their defaults. */
    public static QaSettings fromOptions(Map<String, String> options) {
        WindowSettings w = new WindowSettings(
                intOption(options, "max_seq_len", WindowSettings.DEFAULT_MAX_SEQ_LEN),
                intOption(options, "doc_stride", WindowSettings.DEFAULT_DOC_STRIDE),
                intOption(options, "max_query_len", WindowSettings.DEFAULT_MAX_QUERY_LEN),
                intOption(options, "max_windows", WindowSettings.DEFAULT_MAX_WINDOWS));
        return new QaSettings(w,
                intOption(options, "max_answer_len", DEFAULT_MAX_ANSWER_LEN),
                boolOption(options, "handle_impossible_answer", false),
                doubleOption(options, "null_threshold", 0.0),
                intOption(options, "predict_batch_size", DEFAULT_PREDICT_BATCH_SIZE));
    }

    static QaSettings fromJson(JsonNode c) {
        WindowSettings w = new WindowSettings(
                c.path("max_seq_len").asInt(WindowSettings.DEFAULT_MAX_SEQ_LEN),
                c.path("doc_stride").asInt(WindowSettings.DEFAULT_DOC_STRIDE),
                c.path("max_query_len").asInt(WindowSettings.DEFAULT_MAX_QUERY_LEN),
                c.path("max_windows").asInt(WindowSettings.DEFAULT_MAX_WINDOWS));
        return new QaSettings(w, c.path("max_answer_len").asInt(DEFAULT_MAX_ANSWER_LEN),
                c.path("handle_impossible_answer").asBoolean(false), c.path("null_threshold").asDouble(0.0),
                c.path("predict_batch_size").asInt(DEFAULT_PREDICT_BATCH_SIZE));
    }

    void writeTo(ObjectNode c) {
        c.put("max_seq_len", windows.maxSeqLen());
        c.put("doc_stride", windows.docStride());
        c.put("max_query_len", windows.maxQueryLen());
        c.put("max_windows", windows.maxWindows());
        c.put("max_answer_len", maxAnswerLen);
        c.put("handle_impossible_answer", handleImpossibleAnswer);
        c.put("null_threshold", nullThreshold);
        c.put("predict_batch_size", predictBatchSize);
    }

    private static int intOption(Map<String, String> options, String key, int fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("qa option " + key + " must be an integer, got '" + v + "'");
        }
    }

    private static double doubleOption(Map<String, String> options, String key, double fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("qa option " + key + " must be a number, got '" + v + "'");
        }
    }

    private static boolean boolOption(Map<String, String> options, String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("qa option " + key + " must be true or false, got '" + v + "'");
        };
    }
}
