package dev.bertj.core.io.onnx;

import dev.bertj.core.io.BertTensorNames;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.ModelFiles;
import dev.bertj.core.io.ProtoWriter;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TestJars;
import dev.bertj.core.model.BertConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The all-MiniLM-L6-v2 ONNX files of the langchain4j jars, fp32 and dynamically quantized. */
class OnnxBertImporterTest {

    static ImportedModel fp32;
    static ImportedModel int8;
    static OnnxGraph fp32Graph;

    @BeforeAll
    static void load() {
        Path jar = TestJars.jarContaining("all-minilm-l6-v2.onnx");
        fp32 = OnnxBertImporter.open(jar);
        int8 = OnnxBertImporter.open(TestJars.jarContaining("all-minilm-l6-v2-q.onnx"));
        try (ModelFiles files = ModelFiles.open(jar)) {
            fp32Graph = OnnxGraph.parse(ByteBuffer.wrap(files.read("all-minilm-l6-v2.onnx")), "fp32");
        }
    }

    @AfterAll
    static void close() {
        fp32.close();
        int8.close();
    }

    @Test
    void infersMiniLmConfigFromTheGraph() {
        for (ImportedModel m : List.of(fp32, int8)) {
            BertConfig c = m.config();
            assertThat(c.vocabSize()).isEqualTo(30522);
            assertThat(c.hiddenSize()).isEqualTo(384);
            assertThat(c.numHiddenLayers()).isEqualTo(6);
            assertThat(c.numAttentionHeads()).isEqualTo(12);
            assertThat(c.intermediateSize()).isEqualTo(1536);
            assertThat(c.maxPositionEmbeddings()).isEqualTo(512);
            assertThat(c.typeVocabSize()).isEqualTo(2);
            assertThat(c.layerNormEps()).isEqualTo(1e-12);
            assertThat(c.hiddenAct()).isEqualTo("gelu");
            assertThat(m.vocab()).hasSize(30522);
            assertThat(m.vocab().get(101)).isEqualTo("[CLS]");
            assertThat(m.vocab().get(0)).isEqualTo("[PAD]");
            assertThat(m.doLowerCase()).isTrue();
        }
    }

    @Test
    void everyEncoderTensorHasItsHuggingFaceNameAndShape() {
        List<TensorInfo> expected = BertTensorNames.encoder(fp32.config());
        assertThat(expected).hasSize(5 + 6 * 16);
        for (ImportedModel m : List.of(fp32, int8)) {
            // No pooler and no MLM head in these exports: exactly the encoder, in canonical order.
            assertThat(m.tensors().names()).containsExactlyElementsOf(expected.stream().map(TensorInfo::name).toList());
            for (TensorInfo t : expected) {
                assertThat(m.tensors().info(t.name()).shape()).as(t.name()).isEqualTo(t.shape());
            }
        }
    }

    @Test
    void linearWeightsAreTheTransposedInitializerOfTheirMatMul() {
        // Cross-check naming by bias against the exporter's node names, which the importer does not use.
        for (int layer : new int[] {0, 5}) {
            for (String linear : List.of("attention/self/query", "attention/self/key", "attention/self/value",
                    "attention/output/dense", "intermediate/dense", "output/dense")) {
                String nodeName = "/encoder/layer." + layer + "/" + linear + "/MatMul";
                OnnxNode node = fp32Graph.nodes().stream().filter(n -> n.name().equals(nodeName)).findFirst().orElseThrow();
                OnnxTensor raw = fp32Graph.initializer(node.input(1));
                long[] d = raw.dims();
                float[] in = raw.floats();
                String hf = "encoder.layer." + layer + "." + linear.replace('/', '.') + ".weight";
                float[] w = fp32.tensors().readFloats(hf);
                assertThat(fp32.tensors().info(hf).shape()).containsExactly(d[1], d[0]);
                for (int i = 0; i < d[0]; i += 7) {
                    for (int o = 0; o < d[1]; o += 5) {
                        assertThat(w[(int) (o * d[0] + i)]).isEqualTo(in[(int) (i * d[1] + o)]);
                    }
                }
            }
        }
        // Values read by an independent Python protobuf reader from the same file.
        float[] q = fp32.tensors().readFloats("encoder.layer.0.attention.self.query.weight");
        assertThat(q[1 * 384 + 0]).isEqualTo(0.035969655960798264f);
        assertThat(q[7 * 384 + 5]).isEqualTo(0.11930710822343826f);
        float[] out = fp32.tensors().readFloats("encoder.layer.0.output.dense.weight");
        assertThat(out[3 * 1536 + 1000]).isEqualTo(-0.004743602592498064f);
        assertThat(fp32.tensors().readFloats("embeddings.word_embeddings.weight")[101 * 384 + 3])
                .isEqualTo(-0.08691827207803726f);
    }

    @Test
    void int8WeightsDequantizeToWithinHalfAQuantizationStepOfFp32() {
        double worstSteps = 0;
        double worstAbs = 0;
        String worstName = "";
        for (String name : fp32.tensors().names()) {
            float[] a = fp32.tensors().readFloats(name);
            float[] b = int8.tensors().readFloats(name);
            assertThat(b).hasSameSizeAs(a);
            boolean quantized = name.endsWith(".weight") && !name.contains("LayerNorm");
            if (!quantized) {
                assertThat(b).as(name).containsExactly(a);
                continue;
            }
            // The step: per tensor for embeddings, per output column (an HF row) for Linear weights. Estimated here
            // as the smallest gap between distinct dequantized values in the row or tensor.
            long[] shape = fp32.tensors().info(name).shape();
            boolean perRow = name.startsWith("encoder.");
            int rows = perRow ? (int) shape[0] : 1;
            int cols = a.length / rows;
            for (int r = 0; r < rows; r++) {
                float[] row = Arrays.copyOfRange(b, r * cols, (r + 1) * cols);
                double step = smallestGap(row);
                for (int c = 0; c < cols; c++) {
                    double err = Math.abs(a[r * cols + c] - b[r * cols + c]);
                    if (err / step > worstSteps) {
                        worstSteps = err / step;
                        worstName = name + " row " + r;
                    }
                    worstAbs = Math.max(worstAbs, err);
                }
            }
        }
        System.out.printf("int8 vs fp32: max |error| %.3g, at most %.3f quantization steps (%s)%n",
                worstAbs, worstSteps, worstName);
        // Round to nearest: never more than half a step (plus float rounding), so nothing was clipped or misaligned.
        assertThat(worstSteps).isLessThanOrEqualTo(0.5 + 1e-4);
    }

    private static double smallestGap(float[] values) {
        float[] s = values.clone();
        Arrays.sort(s);
        double gap = Double.MAX_VALUE;
        for (int i = 1; i < s.length; i++) {
            if (s[i] > s[i - 1]) {
                gap = Math.min(gap, s[i] - s[i - 1]);
            }
        }
        return gap;
    }

    @Test
    void largerOnnxModelsImportToo() {
        for (String resource : List.of("bge-small-en-v1.5.onnx", "e5-small-v2.onnx")) {
            try (ImportedModel m = OnnxBertImporter.open(TestJars.jarContaining(resource))) {
                BertConfig c = m.config();
                assertThat(c.numHiddenLayers()).as(resource).isEqualTo(12);
                assertThat(c.hiddenSize()).isEqualTo(384);
                assertThat(c.numAttentionHeads()).isEqualTo(12);
                assertThat(c.intermediateSize()).isEqualTo(1536);
                assertThat(m.tensors().names()).hasSize(5 + 12 * 16);
                assertThat(m.vocab()).hasSize(30522);
                float[] w = m.tensors().readFloats("encoder.layer.11.output.dense.weight");
                assertThat(w).hasSize(384 * 1536);
            }
        }
    }

    // ---- small hand-built graphs for the error paths ----

    private static ProtoWriter tensor(String name, long[] dims, float... values) {
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        return t.varint(2, OnnxTensor.FLOAT).string(8, name).floatsRaw(9, values);
    }

    private static ProtoWriter node(String op, List<String> inputs, List<String> outputs) {
        ProtoWriter n = new ProtoWriter();
        inputs.forEach(i -> n.string(1, i));
        outputs.forEach(o -> n.string(2, o));
        return n.string(3, op + "_" + outputs.get(0)).string(4, op);
    }

    /** A one-layer, hidden-4, 2-head BERT-shaped graph holding only the query Linear of the layer. */
    private static byte[] tinyModel(boolean externalWord) {
        ProtoWriter g = new ProtoWriter();
        ProtoWriter word = tensor("embeddings.word_embeddings.weight", new long[] {10, 4}, new float[40]);
        if (externalWord) {
            word.varint(14, 1);
        }
        g.message(5, word);
        g.message(5, tensor("embeddings.position_embeddings.weight", new long[] {8, 4}, new float[32]));
        g.message(5, tensor("embeddings.token_type_embeddings.weight", new long[] {2, 4}, new float[8]));
        g.message(5, tensor("embeddings.LayerNorm.weight", new long[] {4}, new float[4]));
        g.message(5, tensor("embeddings.LayerNorm.bias", new long[] {4}, new float[4]));
        g.message(5, tensor("encoder.layer.0.attention.self.query.bias", new long[] {4}, new float[4]));
        g.message(5, tensor("onnx::MatMul_1", new long[] {4, 4}, new float[16]));
        ProtoWriter shape = new ProtoWriter().varint(1, 4).varint(2, OnnxTensor.INT64);
        shape.bytes(9, ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(0).putLong(0).putLong(2).putLong(2).array()).string(8, "shape");
        g.message(5, shape);
        g.message(1, node("MatMul", List.of("x", "onnx::MatMul_1"), List.of("mm")));
        g.message(1, node("Add", List.of("encoder.layer.0.attention.self.query.bias", "mm"), List.of("q")));
        g.message(1, node("Reshape", List.of("q", "shape"), List.of("q4")));
        return new ProtoWriter().varint(1, 8).message(7, g).toByteArray();
    }

    @TempDir
    Path tmp;

    @Test
    void aMissingTensorIsNamed() throws IOException {
        Path f = tmp.resolve("tiny.onnx");
        Files.write(f, tinyModel(false));
        assertThatThrownBy(() -> OnnxBertImporter.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("encoder.layer.0.attention.self.key.weight");
    }

    @Test
    void externalDataIsRefusedClearly() throws IOException {
        Path f = tmp.resolve("external.onnx");
        Files.write(f, tinyModel(true));
        assertThatThrownBy(() -> OnnxBertImporter.open(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("embeddings.word_embeddings.weight")
                .hasMessageContaining("external");
    }

    @Test
    void truncatedAndCorruptFilesFailWithTheFileNamed() throws IOException {
        byte[] good = tinyModel(false);
        Path truncated = tmp.resolve("truncated.onnx");
        Files.write(truncated, Arrays.copyOf(good, good.length - 50));
        assertThatThrownBy(() -> OnnxBertImporter.open(truncated)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(truncated.toString());
        Path garbage = tmp.resolve("garbage.onnx");
        byte[] g = new byte[4096];
        new java.util.Random(5).nextBytes(g);
        Files.write(garbage, g);
        assertThatThrownBy(() -> OnnxBertImporter.open(garbage)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(garbage.toString());
        assertThatThrownBy(() -> OnnxBertImporter.open(tmp.resolve("absent.onnx"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("absent.onnx");
    }

    @Test
    void headsAndEpsAreReadFromTheGraphNotAssumed() {
        double eps = fp32.config().layerNormEps();
        assertThat(eps).isCloseTo(1e-12, within(1e-20));
        assertThat(fp32.config().headSize()).isEqualTo(32);
    }
}
