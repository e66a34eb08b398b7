package dev.bertj.heads.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.head.HeadFiles;

import java.util.Map;

/**
 * The decoder's sizes and training options, saved in {@code head.json} under Hugging Face's {@code BertConfig}
 * names (the decoder is a {@code BertLMHeadModel} with cross-attention).
 *
 * <p>Defaults, sized for Multi30k (29k short sentence pairs) on a CPU: 3 layers, hidden 512, 8 heads, FFN 2048,
 * dropout 0.1, GELU, post-LN (BERT's layer), learned positions for up to 128 target tokens, an 8,000-piece target
 * vocabulary, label smoothing 0.1.
 *
 * @param vocabSize          target vocabulary size (set from the trained vocabulary)
 * @param hiddenSize         decoder width
 * @param numLayers          decoder layers
 * @param numHeads           attention heads (self and cross)
 * @param intermediateSize   feed-forward width
 * @param hiddenAct          {@code gelu} (exact, as BERT) or {@code relu}
 * @param hiddenDropout      dropout on embeddings and on each sub-layer's output before the residual
 * @param attentionDropout   dropout on attention probabilities
 * @param maxPositions       learned target positions (the longest decoder input)
 * @param layerNormEps       LayerNorm epsilon
 * @param initializerRange   std of the normal initialisation
 * @param encoderHiddenSize  the encoder's width; a projection ({@code enc_to_dec_proj}) maps it to hiddenSize if it differs
 * @param labelSmoothing     label smoothing of the training loss
 */
public record DecoderConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
                            String hiddenAct, double hiddenDropout, double attentionDropout, int maxPositions,
                            double layerNormEps, double initializerRange, int encoderHiddenSize,
                            double labelSmoothing) {

    public static final int DEFAULT_LAYERS = 3;
    public static final int DEFAULT_HIDDEN = 512;
    public static final int DEFAULT_HEADS = 8;
    public static final int DEFAULT_FFN = 2048;
    public static final double DEFAULT_DROPOUT = 0.1;
    public static final int DEFAULT_MAX_POSITIONS = 128;
    public static final int DEFAULT_VOCAB_SIZE = 8000;
    public static final double DEFAULT_LABEL_SMOOTHING = 0.1;

    public DecoderConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositions);
        positive("encoder_hidden_size", encoderHiddenSize);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not a multiple of "
                    + numHeads + " attention heads");
        }
        if (!hiddenAct.equals("gelu") && !hiddenAct.equals("relu")) {
            throw new IllegalArgumentException("hidden_act must be gelu or relu, got '" + hiddenAct + "'");
        }
        probability("hidden_dropout_prob", hiddenDropout);
        probability("attention_probs_dropout_prob", attentionDropout);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 1), got " + labelSmoothing);
        }
    }

    /**
     * Sizes from fine-tuning options ({@code layers, hidden, heads, ffn, dropout, activation, initializer_range, ...}),
     * defaults elsewhere. BERT's initializer_range 0.02 suits widths of several hundred; very narrow decoders
     * (tests) learn faster with a larger one, about 1/sqrt(hidden).
     */
    static DecoderConfig fromOptions(Map<String, String> o, int vocabSize, int encoderHiddenSize) {
        double dropout = dbl(o, "dropout", DEFAULT_DROPOUT);
        return new DecoderConfig(vocabSize,
                integer(o, "hidden", DEFAULT_HIDDEN),
                integer(o, "layers", DEFAULT_LAYERS),
                integer(o, "heads", DEFAULT_HEADS),
                integer(o, "ffn", DEFAULT_FFN),
                o.getOrDefault("activation", "gelu"),
                dropout,
                dbl(o, "attention_dropout", dropout),
                integer(o, "max_target_positions", DEFAULT_MAX_POSITIONS),
                1e-12, dbl(o, "initializer_range", 0.02), encoderHiddenSize,
                dbl(o, "label_smoothing", DEFAULT_LABEL_SMOOTHING));
    }

    public DecoderConfig withVocabSize(int size) {
        return new DecoderConfig(size, hiddenSize, numLayers, numHeads, intermediateSize, hiddenAct, hiddenDropout,
                attentionDropout, maxPositions, layerNormEps, initializerRange, encoderHiddenSize, labelSmoothing);
    }

    ObjectNode toJson() {
        ObjectNode c = HeadFiles.json().createObjectNode();
        c.put("vocab_size", vocabSize);
        c.put("hidden_size", hiddenSize);
        c.put("num_hidden_layers", numLayers);
        c.put("num_attention_heads", numHeads);
        c.put("intermediate_size", intermediateSize);
        c.put("hidden_act", hiddenAct);
        c.put("hidden_dropout_prob", hiddenDropout);
        c.put("attention_probs_dropout_prob", attentionDropout);
        c.put("max_position_embeddings", maxPositions);
        c.put("layer_norm_eps", layerNormEps);
        c.put("initializer_range", initializerRange);
        c.put("encoder_hidden_size", encoderHiddenSize);
        c.put("label_smoothing", labelSmoothing);
        c.put("is_decoder", true);
        c.put("add_cross_attention", true);
        c.put("layer_norm_position", "post");
        c.put("position_embedding_type", "absolute");
        c.put("tie_word_embeddings", true);
        return c;
    }

    static DecoderConfig fromJson(JsonNode c) {
        return new DecoderConfig(req(c, "vocab_size").asInt(), req(c, "hidden_size").asInt(),
                req(c, "num_hidden_layers").asInt(), req(c, "num_attention_heads").asInt(),
                req(c, "intermediate_size").asInt(), c.path("hidden_act").asText("gelu"),
                c.path("hidden_dropout_prob").asDouble(DEFAULT_DROPOUT),
                c.path("attention_probs_dropout_prob").asDouble(DEFAULT_DROPOUT),
                req(c, "max_position_embeddings").asInt(), c.path("layer_norm_eps").asDouble(1e-12),
                c.path("initializer_range").asDouble(0.02), req(c, "encoder_hidden_size").asInt(),
                c.path("label_smoothing").asDouble(DEFAULT_LABEL_SMOOTHING));
    }

    private static JsonNode req(JsonNode c, String name) {
        JsonNode n = c.get(name);
        if (n == null || !n.isNumber()) {
            throw new IllegalArgumentException("head.json: decoder config lacks a numeric '" + name + "'");
        }
        return n;
    }

    static int integer(Map<String, String> o, String name, int def) {
        String v = o.get(name);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " must be an integer, got '" + v + "'");
        }
    }

    static double dbl(Map<String, String> o, String name, double def) {
        String v = o.get(name);
        if (v == null) {
            return def;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " must be a number, got '" + v + "'");
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    private static void probability(String name, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1), got " + p);
        }
    }
}
