package dev.bertj.core.io.onnx;

import dev.bertj.core.io.BertTensorNames;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DerivedTensorStore;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.ModelFiles;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.model.BertConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a BERT encoder out of an ONNX file exported from PyTorch (fp32, or dynamically quantized to int8/uint8)
 * and exposes its weights under Hugging Face names, with the config inferred from the graph.
 *
 * <p>PyTorch's exporter keeps the names of embeddings, biases and LayerNorm parameters, but stores each Linear
 * weight transposed ([in, out]) under an anonymous name ({@code onnx::MatMul_NNN}). Each weight is named after the
 * bias that the graph adds to its product: {@code Add(encoder.layer.0.attention.self.query.bias, MatMul(x, W))}
 * makes W {@code encoder.layer.0.attention.self.query.weight}, transposed to [out, in].
 *
 * <p>In the dynamically quantized files (onnxruntime's {@code quantize_dynamic}), a Linear becomes
 * {@code MatMulInteger(DynamicQuantizeLinear(x), Wq, x_zero_point, w_zero_point)} cast to float and multiplied by
 * {@code x_scale * w_scale}; the weight is {@code (Wq - w_zero_point[col]) * w_scale[col]}. Embedding tables are
 * gathered quantized and dequantized by {@code DequantizeLinear(table_quantized[ids], scale, zero_point)}.
 * Both are dequantized here on load.
 */
public final class OnnxBertImporter {

    private static final Pattern HF_PARAMETER = Pattern.compile(
            "^(bert\\.)?(embeddings|encoder\\.layer\\.\\d+|pooler|cls)\\..*\\.(weight|bias|gamma|beta)$");
    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");
    private static final String QUANTIZED_SUFFIX = "_quantized";

    private final OnnxGraph graph;
    private final String source;
    private final DerivedTensorStore store;

    private OnnxBertImporter(OnnxGraph graph, AutoCloseable underlying) {
        this.graph = graph;
        this.source = graph.source();
        this.store = new DerivedTensorStore(source, underlying);
    }

    /**
     * Imports from an {@code .onnx} file (memory-mapped), a directory holding one, or a zip/jar carrying one as an
     * entry (read into memory; jar entries are usually deflated). The vocabulary is taken from a
     * {@code vocab.txt} or {@code tokenizer.json} beside the model when there is one.
     */
    public static ImportedModel open(Path path) {
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".onnx")) {
            ImportedModel m = openMapped(path);
            try (ModelFiles beside = ModelFiles.open(path.toAbsolutePath().getParent())) {
                String stem = path.getFileName().toString().replaceFirst("\\.onnx$", "");
                return withVocabulary(m, beside, stem);
            }
        }
        try (ModelFiles files = ModelFiles.open(path)) {
            List<String> models = files.find(".onnx");
            if (models.isEmpty()) {
                throw new CheckpointException(path + ": no .onnx model found");
            }
            if (models.size() > 1) {
                throw new CheckpointException(path + ": several .onnx models found " + models + "; name one file");
            }
            String entry = models.get(0);
            String name = entry.substring(entry.lastIndexOf('/') + 1);
            ImportedModel m = files.isArchive()
                    ? read(ByteBuffer.wrap(files.read(entry)), files.describe(entry), null)
                    : openMapped(files.root().resolve(entry));
            return withVocabulary(m, files, name.replaceFirst("\\.onnx$", ""));
        }
    }

    private static ImportedModel openMapped(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new CheckpointException(file + ": " + ch.size() + " bytes; ONNX files above 2 GB need external data,"
                        + " which is not supported");
            }
            return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()), file.toString(), null);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static ImportedModel withVocabulary(ImportedModel m, ModelFiles files, String stem) {
        try {
            return files.vocabulary(stem).map(v -> m.withVocab(v.tokens(), v.doLowerCase())).orElse(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Imports the model in {@code model} (a serialized ModelProto; raw tensor data stay views into it).
     *
     * @param underlying closed when the returned model is closed (e.g. the file mapping), or null
     */
    public static ImportedModel read(ByteBuffer model, String source, AutoCloseable underlying) {
        OnnxGraph graph = OnnxGraph.parse(model, source);
        OnnxBertImporter importer = new OnnxBertImporter(graph, underlying);
        Map<String, TensorSource> tensors = importer.collect();
        BertConfig config = importer.inferConfig(tensors);
        importer.checkComplete(config, tensors);
        importer.publish(config, tensors);
        return new ImportedModel(config, importer.store, null, null);
    }

    /** A float tensor the importer can produce: an initializer as it is, dequantized, or transposed. */
    private interface TensorSource {
        long[] shape();

        void read(FloatBuffer dst);
    }

    private TensorSource plain(OnnxTensor t) {
        checkNotExternal(t);
        return new TensorSource() {
            public long[] shape() {
                return t.dims();
            }

            public void read(FloatBuffer dst) {
                t.readFloats(dst);
            }
        };
    }

    /** (q - zeroPoint) * scale, with scale and zero point per tensor or per slice along {@code axis}. */
    private TensorSource dequantized(OnnxTensor q, OnnxTensor scale, OnnxTensor zeroPoint, int axis) {
        checkNotExternal(q);
        long[] dims = q.dims();
        float[] s = scale.floats();
        long[] z = zeroPoint == null ? new long[s.length] : zeroPoint.longs();
        int ax = axis < 0 ? axis + dims.length : axis;
        if (s.length != z.length || (s.length != 1 && (ax < 0 || ax >= dims.length || dims[ax] != s.length))) {
            throw new CheckpointException(source + ": cannot dequantize " + q.name() + " " + Arrays.toString(dims)
                    + ": scale " + scale.name() + " has " + s.length + " values, zero point has " + z.length);
        }
        long inner = 1;
        for (int d = ax + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        long innerSize = inner;
        return new TensorSource() {
            public long[] shape() {
                return dims;
            }

            public void read(FloatBuffer dst) {
                float[] v = q.floats();
                for (int i = 0; i < v.length; i++) {
                    int k = s.length == 1 ? 0 : (int) ((i / innerSize) % s.length);
                    dst.put((v[i] - z[k]) * s[k]);
                }
            }
        };
    }

    private static TensorSource transposed(TensorSource in) {
        long[] s = in.shape();
        return new TensorSource() {
            public long[] shape() {
                return new long[] {s[1], s[0]};
            }

            public void read(FloatBuffer dst) {
                float[] m = new float[(int) (s[0] * s[1])];
                in.read(FloatBuffer.wrap(m));
                DerivedTensorStore.transpose(m, (int) s[0], (int) s[1], dst);
            }
        };
    }

    /** Canonical HF name to source, for every parameter found. */
    private Map<String, TensorSource> collect() {
        Map<String, TensorSource> found = new LinkedHashMap<>();
        // Named parameters: float initializers, and quantized embedding tables.
        for (OnnxTensor t : graph.initializers().values()) {
            String name = t.name();
            if (t.isFloatingPoint() && HF_PARAMETER.matcher(name).matches()) {
                found.put(BertTensorNames.canonical(name), plain(t));
            } else if (name.endsWith(QUANTIZED_SUFFIX)
                    && HF_PARAMETER.matcher(name.substring(0, name.length() - QUANTIZED_SUFFIX.length())).matches()) {
                String base = BertTensorNames.canonical(name.substring(0, name.length() - QUANTIZED_SUFFIX.length()));
                found.put(base, dequantizedTable(t));
            }
        }
        // Anonymous Linear weights, named after their bias.
        for (OnnxNode node : graph.nodes()) {
            Linear linear = linearOf(node);
            if (linear == null) {
                continue;
            }
            String bias = linear.bias != null ? linear.bias : biasAddedTo(linear.output);
            if (bias == null) {
                throw new CheckpointException(source + ": cannot name the weight of " + node.opType() + " node '"
                        + node.name() + "' (" + linear.weightName + "): no named bias is added to its output");
            }
            String canonicalBias = BertTensorNames.canonical(bias);
            if (!canonicalBias.endsWith(".bias")) {
                throw new CheckpointException(source + ": the bias " + bias + " added to " + linear.weightName
                        + " does not follow Hugging Face naming");
            }
            String weight = canonicalBias.substring(0, canonicalBias.length() - ".bias".length()) + ".weight";
            if (found.containsKey(weight)) {
                throw new CheckpointException(source + ": two Linear weights map to " + weight + " (the second is "
                        + linear.weightName + ")");
            }
            if (linear.weight.shape().length != 2) {
                throw new CheckpointException(source + ": tensor " + linear.weightName + " (" + weight + ") has shape "
                        + Arrays.toString(linear.weight.shape()) + ", expected [in, out]");
            }
            found.put(weight, transposed(linear.weight));
            if (!found.containsKey(canonicalBias)) {
                OnnxTensor b = graph.constant(bias);
                if (b != null) {
                    found.put(canonicalBias, plain(b));
                }
            }
        }
        return found;
    }

    private record Linear(String output, TensorSource weight, String weightName, String bias) {
    }

    /** The Linear layer {@code node} computes (its float output, its [in, out] weight), or null if not one. */
    private Linear linearOf(OnnxNode node) {
        switch (node.opType()) {
            case "MatMul" -> {
                OnnxTensor w = graph.initializer(node.input(1));
                if (w != null && w.isFloatingPoint() && w.dims().length == 2) {
                    return new Linear(node.output(0), plain(w), w.name(), null);
                }
                OnnxNode dq = graph.producer(node.input(1));
                if (dq != null && dq.opType().equals("DequantizeLinear") && graph.initializer(dq.input(0)) != null) {
                    OnnxTensor q = graph.initializer(dq.input(0));
                    if (q.dims().length == 2) {
                        return new Linear(node.output(0), dequantized(q, required(dq.input(1), dq),
                                graph.constant(dq.input(2)), axis(dq, 1)), q.name(), null);
                    }
                }
                return null;
            }
            case "MatMulInteger" -> {
                return matMulInteger(node);
            }
            case "MatMulIntegerToFloat" -> {
                // com.microsoft: A, B, a_scale, b_scale, a_zero_point, b_zero_point, bias
                OnnxTensor w = graph.initializer(node.input(1));
                if (w == null) {
                    return null;
                }
                TensorSource weight = dequantized(w, required(node.input(3), node), graph.constant(node.input(5)), 1);
                return new Linear(node.output(0), weight, w.name(), node.input(6).isEmpty() ? null : node.input(6));
            }
            case "DynamicQuantizeMatMul" -> {
                // com.microsoft: A, B, b_scale, b_zero_point, bias
                OnnxTensor w = graph.initializer(node.input(1));
                if (w == null) {
                    return null;
                }
                TensorSource weight = dequantized(w, required(node.input(2), node), graph.constant(node.input(3)), 1);
                return new Linear(node.output(0), weight, w.name(), node.input(4).isEmpty() ? null : node.input(4));
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * {@code Mul(Cast(MatMulInteger(xq, Wq, x_zp, w_zp)), Mul(x_scale, w_scale))}: the weight's scale is the
     * constant factor of the Mul that rescales the integer product.
     */
    private Linear matMulInteger(OnnxNode node) {
        OnnxTensor w = graph.initializer(node.input(1));
        if (w == null || !w.isInteger8() || w.dims().length != 2) {
            return null;
        }
        OnnxTensor zeroPoint = node.input(3).isEmpty() ? null : graph.constant(node.input(3));
        String value = node.output(0);
        for (int hop = 0; hop < 3; hop++) {
            List<OnnxNode> next = graph.consumers(value);
            if (next.size() != 1) {
                break;
            }
            OnnxNode n = next.get(0);
            if (n.opType().equals("Cast")) {
                value = n.output(0);
                continue;
            }
            if (n.opType().equals("Mul")) {
                String other = n.input(0).equals(value) ? n.input(1) : n.input(0);
                OnnxTensor scale = weightScale(other, w.dims()[1]);
                if (scale != null) {
                    return new Linear(n.output(0), dequantized(w, scale, zeroPoint, 1), w.name(), null);
                }
            }
            break;
        }
        throw new CheckpointException(source + ": cannot find the scale of quantized weight " + w.name()
                + ": expected MatMulInteger -> Cast -> Mul(_, Mul(input_scale, weight_scale))");
    }

    /** The weight's scale inside {@code value = Mul(activation_scale, weight_scale)} (or {@code value} itself). */
    private OnnxTensor weightScale(String value, long columns) {
        OnnxTensor direct = graph.initializer(value);
        if (direct != null) {
            return direct;
        }
        OnnxNode p = graph.producer(value);
        if (p == null || !p.opType().equals("Mul")) {
            return null;
        }
        for (String in : p.inputs()) {
            OnnxTensor t = graph.initializer(in);
            if (t != null && t.isFloatingPoint() && (t.size() == columns || t.size() == 1)) {
                return t;
            }
        }
        return null;
    }

    /** {@code DequantizeLinear(Gather(table_quantized, ids), scale, zero_point)}: dequantizes the whole table. */
    private TensorSource dequantizedTable(OnnxTensor table) {
        List<OnnxNode> uses = new ArrayList<>(graph.consumers(table.name()));
        for (OnnxNode use : uses) {
            OnnxNode dq = null;
            if (use.opType().equals("DequantizeLinear")) {
                dq = use;
            } else if (use.opType().equals("Gather")) {
                for (OnnxNode after : graph.consumers(use.output(0))) {
                    if (after.opType().equals("DequantizeLinear")) {
                        dq = after;
                    }
                }
            }
            if (dq != null) {
                OnnxTensor scale = required(dq.input(1), dq);
                if (use != dq && scale.size() != 1) {
                    throw new CheckpointException(source + ": " + table.name()
                            + " is dequantized after a Gather with a per-axis scale; only per-tensor scales are supported there");
                }
                return dequantized(table, scale, graph.constant(dq.input(2)), axis(dq, 1));
            }
        }
        throw new CheckpointException(source + ": cannot find how " + table.name() + " is dequantized"
                + " (no DequantizeLinear after it)");
    }

    private static int axis(OnnxNode node, int fallback) {
        OnnxNode.Attribute a = node.attribute("axis");
        return a == null ? fallback : (int) a.i();
    }

    private OnnxTensor required(String value, OnnxNode node) {
        OnnxTensor t = graph.constant(value);
        if (t == null) {
            throw new CheckpointException(source + ": input " + value + " of " + node.opType() + " node '" + node.name()
                    + "' is not a constant");
        }
        return t;
    }

    /** The named bias initializer added to {@code value} by an Add node, or null. */
    private String biasAddedTo(String value) {
        for (OnnxNode n : graph.consumers(value)) {
            if (!n.opType().equals("Add")) {
                continue;
            }
            String other = n.input(0).equals(value) ? n.input(1) : n.input(0);
            OnnxTensor t = graph.initializer(other);
            if (t != null && t.dims().length == 1 && HF_PARAMETER.matcher(other).matches()) {
                return other;
            }
        }
        return null;
    }

    private void checkNotExternal(OnnxTensor t) {
        if (t.isExternal()) {
            throw new CheckpointException(source + ": initializer " + t.name()
                    + " keeps its data in an external file; external data is not supported: re-export the model"
                    + " with all data inside the .onnx file");
        }
    }

    private long[] shapeOf(Map<String, TensorSource> tensors, String name) {
        TensorSource t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(source + ": tensor " + name + " not found in the ONNX graph");
        }
        return t.shape();
    }

    /** The config, from tensor shapes and the graph's constants. */
    private BertConfig inferConfig(Map<String, TensorSource> tensors) {
        long[] word = shapeOf(tensors, "embeddings.word_embeddings.weight");
        long[] position = shapeOf(tensors, "embeddings.position_embeddings.weight");
        long[] tokenType = shapeOf(tensors, "embeddings.token_type_embeddings.weight");
        TreeSet<Integer> layers = new TreeSet<>();
        for (String name : tensors.keySet()) {
            Matcher m = LAYER.matcher(name);
            if (m.find()) {
                layers.add(Integer.parseInt(m.group(1)));
            }
        }
        int numLayers = layers.isEmpty() ? 0 : layers.last() + 1;
        int hidden = (int) word[1];
        // A missing tensor is reported by checkComplete, in canonical order; guess here so that it gets the chance.
        TensorSource ffBias = tensors.get("encoder.layer.0.intermediate.dense.bias");
        int intermediate = ffBias != null ? (int) ffBias.shape()[0] : 4 * hidden;
        int heads = inferHeads(hidden);
        double eps = inferLayerNormEps();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("architectures", List.of("BertModel"));
        try {
            return new BertConfig((int) word[0], hidden, numLayers, heads, intermediate, inferActivation(), 0.1, 0.1,
                    (int) position[0], (int) tokenType[0], eps, 0.02, 0, extra);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(source + ": the inferred config is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * Attention reshapes [batch, seq, hidden] to [batch, seq, heads, head_size]; the last two entries of that shape
     * are constants in the graph. Fused attention operators carry {@code num_heads} instead.
     */
    private int inferHeads(int hidden) {
        Map<Long, Integer> votes = new TreeMap<>();
        for (OnnxNode n : graph.nodes()) {
            if (n.opType().equals("Attention") || n.opType().equals("MultiHeadAttention")) {
                OnnxNode.Attribute a = n.attribute("num_heads");
                if (a != null && a.i() > 0) {
                    votes.merge(a.i(), 1, Integer::sum);
                }
            } else if (n.opType().equals("Reshape")) {
                long[] shape = shapeValue(n.input(1));
                if (shape != null && shape.length == 4 && shape[2] > 0 && shape[3] > 0 && shape[2] * shape[3] == hidden) {
                    votes.merge(shape[2], 1, Integer::sum);
                }
            }
        }
        if (votes.isEmpty()) {
            throw new CheckpointException(source + ": cannot infer num_attention_heads: no attention Reshape with"
                    + " constant [heads, head_size] and no fused attention node found");
        }
        return (int) votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey().longValue();
    }

    /** A shape tensor's value where known: a constant, or a Concat of constants and single unknown entries (-1). */
    private long[] shapeValue(String value) {
        OnnxTensor c = graph.constant(value);
        if (c != null) {
            return c.longs();
        }
        OnnxNode p = graph.producer(value);
        if (p == null || !p.opType().equals("Concat")) {
            return null;
        }
        List<Long> parts = new ArrayList<>();
        for (String in : p.inputs()) {
            OnnxTensor t = graph.constant(in);
            if (t != null) {
                for (long v : t.longs()) {
                    parts.add(v);
                }
            } else {
                OnnxNode q = graph.producer(in);
                if (q == null || !q.opType().equals("Unsqueeze")) {
                    return null;
                }
                parts.add(-1L);
            }
        }
        return parts.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * LayerNorm's epsilon: an attribute of a fused LayerNormalization, or, when PyTorch decomposed it, the constant
     * added to the variance before Sqrt. BERT's default 1e-12 if neither is found.
     */
    private double inferLayerNormEps() {
        for (OnnxNode n : graph.nodes()) {
            switch (n.opType()) {
                case "LayerNormalization", "SkipLayerNormalization", "EmbedLayerNormalization" -> {
                    OnnxNode.Attribute a = n.attribute("epsilon");
                    return a == null ? 1e-5 : a.f();
                }
                case "Sqrt" -> {
                    OnnxNode add = graph.producer(n.input(0));
                    if (add != null && add.opType().equals("Add")) {
                        for (String in : add.inputs()) {
                            OnnxNode reduce = graph.producer(in);
                            if (reduce != null && reduce.opType().equals("ReduceMean")) {
                                String other = add.input(0).equals(in) ? add.input(1) : add.input(0);
                                OnnxTensor eps = graph.constant(other);
                                if (eps != null && eps.size() == 1) {
                                    // The graph holds float32: widen through the decimal string, so 1e-12 stays 1e-12.
                                    return Double.parseDouble(Float.toString(eps.floats()[0]));
                                }
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        return 1e-12;
    }

    private String inferActivation() {
        Map<String, Integer> ops = new HashMap<>();
        for (OnnxNode n : graph.nodes()) {
            ops.merge(n.opType(), 1, Integer::sum);
        }
        if (ops.containsKey("Erf") || ops.containsKey("Gelu") || ops.containsKey("BiasGelu")) {
            return "gelu";
        }
        if (ops.containsKey("FastGelu")) {
            return "gelu_new";
        }
        if (ops.containsKey("Relu")) {
            return "relu";
        }
        if (ops.containsKey("Tanh") && ops.containsKey("Pow")) {
            return "gelu_new";
        }
        return "gelu";
    }

    private void checkComplete(BertConfig config, Map<String, TensorSource> tensors) {
        Map<String, TensorInfo> expected = BertTensorNames.all(config);
        for (TensorInfo t : BertTensorNames.encoder(config)) {
            if (!tensors.containsKey(t.name())) {
                throw new CheckpointException(source + ": tensor " + t.name() + " not found in the ONNX graph");
            }
        }
        for (Map.Entry<String, TensorSource> e : tensors.entrySet()) {
            TensorInfo want = expected.get(e.getKey());
            if (want != null && !Arrays.equals(want.shape(), e.getValue().shape())) {
                throw new CheckpointException(source + ": tensor " + e.getKey() + " has shape "
                        + Arrays.toString(e.getValue().shape()) + " but the config needs " + want.shapeString());
            }
        }
    }

    /** Publishes the tensors in canonical order (embeddings, layers, pooler, heads), then anything else. */
    private void publish(BertConfig config, Map<String, TensorSource> tensors) {
        Map<String, TensorSource> rest = new LinkedHashMap<>(tensors);
        for (String name : BertTensorNames.all(config).keySet()) {
            TensorSource t = rest.remove(name);
            if (t != null) {
                store.put(name, t.shape(), t::read);
            }
        }
        rest.forEach((name, t) -> store.put(name, t.shape(), t::read));
    }
}
