package dev.bertj.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hyper-parameters of a BERT encoder, read from and written to Hugging Face's {@code config.json}.
 * One object drives every size, from the tiny test configs to BERT-large. Keys this class does not model
 * are kept in {@link #extra()} and written back unchanged, so a round trip loses nothing.
 */
public record BertConfig(
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double hiddenDropoutProb,
        double attentionProbsDropoutProb,
        int maxPositionEmbeddings,
        int typeVocabSize,
        double layerNormEps,
        double initializerRange,
        int padTokenId,
        Map<String, Object> extra) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BertConfig {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        validate(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
                hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize, layerNormEps);
    }

    /** A config with BERT's defaults for everything but the sizes. */
    public static BertConfig of(int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize) {
        return new BertConfig(vocabSize, hiddenSize, layers, heads, intermediateSize, "gelu", 0.1, 0.1, 512, 2,
                1e-12, 0.02, 0, Map.of());
    }

    /** Google's BERT-base: 12 layers, hidden 768, 12 heads, FFN 3072. */
    public static BertConfig base(int vocabSize) {
        return of(vocabSize, 768, 12, 12, 3072);
    }

    /** Preset sizes from Turc et al. 2019 ("Well-Read Students Learn Better"): tiny, mini, small, medium, base, large. */
    public static BertConfig preset(String name, int vocabSize) {
        return switch (name) {
            case "tiny" -> of(vocabSize, 128, 2, 2, 512);
            case "mini" -> of(vocabSize, 256, 4, 4, 1024);
            case "small" -> of(vocabSize, 512, 4, 8, 2048);
            case "medium" -> of(vocabSize, 512, 8, 8, 2048);
            case "base" -> of(vocabSize, 768, 12, 12, 3072);
            case "large" -> of(vocabSize, 1024, 24, 16, 4096);
            default -> throw new IllegalArgumentException(
                    "unknown config preset '" + name + "': use tiny, mini, small, medium, base, large or a path to config.json");
        };
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    /** Parameters of the encoder and pooler (no task heads). */
    public long parameterCount() {
        long h = hiddenSize;
        long embeddings = (long) (vocabSize + maxPositionEmbeddings + typeVocabSize) * h + 2 * h;
        long layer = 4 * (h * h + h) + 2 * h + (h * intermediateSize + intermediateSize)
                + (intermediateSize * h + h) + 2 * h;
        long pooler = h * h + h;
        return embeddings + numHiddenLayers * layer + pooler;
    }

    public BertConfig withVocabSize(int newVocabSize) {
        return new BertConfig(newVocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
                hiddenDropoutProb, attentionProbsDropoutProb, maxPositionEmbeddings, typeVocabSize, layerNormEps,
                initializerRange, padTokenId, extra);
    }

    public BertConfig withDropout(double hidden, double attention) {
        return new BertConfig(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, hiddenAct,
                hidden, attention, maxPositionEmbeddings, typeVocabSize, layerNormEps, initializerRange, padTokenId, extra);
    }

    public static BertConfig read(Path configJson) {
        try {
            return fromJson(JSON.readTree(configJson.toFile()), configJson.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(configJson + ": cannot read config: " + e.getMessage(), e);
        }
    }

    public static BertConfig parse(String json) {
        try {
            return fromJson(JSON.readTree(json), "config.json");
        } catch (IOException e) {
            throw new IllegalArgumentException("config.json: not valid JSON: " + e.getMessage(), e);
        }
    }

    private static BertConfig fromJson(JsonNode n, String source) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(source + ": expected a JSON object");
        }
        String modelType = n.path("model_type").asText("bert");
        if (!modelType.isEmpty() && !modelType.equals("bert")) {
            throw new IllegalArgumentException(source + ": model_type '" + modelType + "' is not a BERT encoder");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> all = JSON.convertValue(n, LinkedHashMap.class);
        all.forEach((k, v) -> {
            if (!KNOWN_KEYS.contains(k)) {
                extra.put(k, v);
            }
        });
        try {
            return new BertConfig(
                    required(n, "vocab_size", source),
                    required(n, "hidden_size", source),
                    required(n, "num_hidden_layers", source),
                    required(n, "num_attention_heads", source),
                    required(n, "intermediate_size", source),
                    n.path("hidden_act").asText("gelu"),
                    n.path("hidden_dropout_prob").asDouble(0.1),
                    n.path("attention_probs_dropout_prob").asDouble(0.1),
                    n.path("max_position_embeddings").asInt(512),
                    n.path("type_vocab_size").asInt(2),
                    n.path("layer_norm_eps").asDouble(1e-12),
                    n.path("initializer_range").asDouble(0.02),
                    n.path("pad_token_id").asInt(0),
                    extra);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static int required(JsonNode n, String key, String source) {
        JsonNode v = n.get(key);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException(source + ": missing or non-integer '" + key + "'");
        }
        return v.asInt();
    }

    private static final java.util.Set<String> KNOWN_KEYS = java.util.Set.of("vocab_size", "hidden_size",
            "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act", "hidden_dropout_prob",
            "attention_probs_dropout_prob", "max_position_embeddings", "type_vocab_size", "layer_norm_eps",
            "initializer_range", "pad_token_id", "model_type");

    /** The Hugging Face {@code config.json} text. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model_type", "bert");
        n.putArray("architectures").add("BertForPreTraining");
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("intermediate_size", intermediateSize);
        n.put("hidden_act", hiddenAct);
        n.put("hidden_dropout_prob", hiddenDropoutProb);
        n.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("type_vocab_size", typeVocabSize);
        n.put("layer_norm_eps", layerNormEps);
        n.put("initializer_range", initializerRange);
        n.put("pad_token_id", padTokenId);
        extra.forEach((k, v) -> {
            if (!k.equals("architectures")) {
                n.set(k, JSON.valueToTree(v));
            }
        });
        if (extra.containsKey("architectures")) {
            n.set("architectures", JSON.valueToTree(extra.get("architectures")));
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path configJson) throws IOException {
        Files.writeString(configJson, toJson());
    }

    private static void validate(int vocabSize, int hiddenSize, int layers, int heads, int intermediate, String act,
                                 double hiddenDrop, double attnDrop, int maxPos, int typeVocab, double eps) {
        check(vocabSize > 0, "vocab_size must be positive, got " + vocabSize);
        check(hiddenSize > 0, "hidden_size must be positive, got " + hiddenSize);
        check(layers >= 0, "num_hidden_layers must not be negative, got " + layers);
        check(heads > 0, "num_attention_heads must be positive, got " + heads);
        check(hiddenSize % heads == 0,
                "hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + heads);
        check(intermediate > 0, "intermediate_size must be positive, got " + intermediate);
        check(act != null && (act.equals("gelu") || act.equals("gelu_new") || act.equals("gelu_pytorch_tanh")
                        || act.equals("relu")),
                "hidden_act '" + act + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)");
        check(hiddenDrop >= 0 && hiddenDrop < 1, "hidden_dropout_prob must be in [0, 1), got " + hiddenDrop);
        check(attnDrop >= 0 && attnDrop < 1, "attention_probs_dropout_prob must be in [0, 1), got " + attnDrop);
        check(maxPos > 0, "max_position_embeddings must be positive, got " + maxPos);
        check(typeVocab > 0, "type_vocab_size must be positive, got " + typeVocab);
        check(eps > 0, "layer_norm_eps must be positive, got " + eps);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
