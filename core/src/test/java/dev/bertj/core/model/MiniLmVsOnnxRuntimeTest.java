package dev.bertj.core.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.onnx.OnnxBertImporter;
import dev.bertj.core.nn.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * all-MiniLM-L6-v2, imported from the ONNX file in the langchain4j jar, against ONNX Runtime running that same
 * file on the same token ids: max |diff| of the last hidden state within 1e-4 on every real token, padded
 * batches and single sequences (measured: ~3e-6, the same distance both have from a double-precision
 * reference). Padded positions mean nothing, but both compute them the same way (padded queries against the
 * real keys), so they are compared too, more loosely: a padded [PAD] query can be ill-conditioned.
 */
class MiniLmVsOnnxRuntimeTest {

    static OrtEnvironment env;
    static OrtSession session;
    static BertModel model;

    @BeforeAll
    static void load() throws Exception {
        byte[] onnx = resource("all-minilm-l6-v2.onnx");
        try (ImportedModel imported = OnnxBertImporter.read(ByteBuffer.wrap(onnx), "all-minilm-l6-v2.onnx", null)) {
            model = BertModel.load(imported.config(), imported.tensors());
        }
        env = OrtEnvironment.getEnvironment();
        session = env.createSession(onnx, ortOptions());
    }

    @AfterAll
    static void close() throws Exception {
        session.close();
        model.close();
    }

    static OrtSession.SessionOptions ortOptions() throws Exception {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(2);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        o.addConfigEntry("session.intra_op.allow_spinning", "0");
        return o;
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = MiniLmVsOnnxRuntimeTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** ORT's last_hidden_state for the batch, flattened [B, S, H]. */
    static float[] ort(OrtSession s, EncoderInput in) throws Exception {
        long[] shape = {in.batch(), in.seqLen()};
        Map<String, OnnxTensor> feeds = new java.util.HashMap<>();
        try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(toLong(in.inputIds())), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(toLong(in.attentionMask())), shape);
             OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(toLong(in.tokenTypeIds())), shape)) {
            feeds.put("input_ids", ids);
            feeds.put("attention_mask", mask);
            if (s.getInputNames().contains("token_type_ids")) {
                feeds.put("token_type_ids", types);
            }
            try (OrtSession.Result r = s.run(feeds)) {
                OnnxTensor out = (OnnxTensor) r.get("last_hidden_state").orElseGet(() -> r.get(0));
                java.nio.FloatBuffer fb = out.getFloatBuffer();
                float[] a = new float[fb.remaining()];
                fb.get(a);
                return a;
            }
        }
    }

    static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Max |a - b| over the real (mask 1) or the padded (mask 0) positions. */
    static double maxAbsDiff(float[] a, float[] b, EncoderInput in, boolean real) {
        assertThat(a).hasSameSizeAs(b);
        int h = a.length / in.tokens();
        double m = 0;
        for (int t = 0; t < in.tokens(); t++) {
            if ((in.attentionMask()[t] == 1) == real) {
                for (int j = 0; j < h; j++) {
                    m = Math.max(m, Math.abs(a[t * h + j] - b[t * h + j]));
                }
            }
        }
        return m;
    }

    static List<int[]> referenceIds() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(resource("reference/minilm-ort-reference.json"));
        List<int[]> ids = new ArrayList<>();
        for (JsonNode item : ref.get("items")) {
            ids.add(new ObjectMapper().convertValue(item.get("input_ids"), int[].class));
        }
        return ids;
    }

    /** Random sentences [CLS] ... [SEP] of the given lengths over the 30522-entry vocabulary. */
    static List<int[]> randomSentences(long seed, int... lengths) {
        Rng rng = new Rng(seed);
        List<int[]> out = new ArrayList<>();
        for (int len : lengths) {
            int[] ids = new int[len];
            ids[0] = 101;
            for (int i = 1; i < len - 1; i++) {
                ids[i] = 1000 + rng.nextInt(29000);
            }
            ids[len - 1] = 102;
            out.add(ids);
        }
        return out;
    }

    @Test
    void paddedBatchesMatchOnnxRuntime() throws Exception {
        for (EncoderInput in : List.of(EncoderInput.of(referenceIds(), null),
                EncoderInput.of(randomSentences(11, 128, 5, 77, 128, 31, 2, 100, 64), null))) {
            float[] ours = model.forward(in).lastHiddenState();
            float[] theirs = ort(session, in);
            double real = maxAbsDiff(ours, theirs, in, true);
            double padding = maxAbsDiff(ours, theirs, in, false);
            System.out.printf("MiniLM [%d x %d] max |bertj - ORT|: real tokens %.3g, padding %.3g%n", in.batch(),
                    in.seqLen(), real, padding);
            assertThat(real).as("max |bertj - ORT| over the real tokens of [%d, %d, 384]", in.batch(), in.seqLen())
                    .isLessThanOrEqualTo(1e-4);
            assertThat(padding).isLessThanOrEqualTo(1e-3);
        }
    }

    @Test
    void singleSequencesMatchOnnxRuntime() throws Exception {
        List<int[]> all = new ArrayList<>(referenceIds());
        all.addAll(randomSentences(12, 128, 3));
        for (int[] ids : all) {
            EncoderInput in = EncoderInput.of(ids);
            assertThat(maxAbsDiff(model.forward(in).lastHiddenState(), ort(session, in))).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void onnxToSafetensorsAndBackGivesIdenticalOutputs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        model.save(dir);
        try (dev.bertj.core.io.SafetensorsFile st = dev.bertj.core.io.SafetensorsFile.open(dir.resolve(BertModel.WEIGHTS_FILE))) {
            assertThat(st.names()).hasSize(model.parameters().size())
                    .contains("embeddings.word_embeddings.weight", "encoder.layer.5.output.LayerNorm.bias");
            assertThat(st.info("encoder.layer.0.attention.self.value.weight").shape()).containsExactly(384, 384);
            assertThat(st.info("encoder.layer.5.intermediate.dense.weight").shape()).containsExactly(1536, 384);
            assertThat(st.info("encoder.layer.5.output.dense.weight").shape()).containsExactly(384, 1536);
        }
        EncoderInput in = EncoderInput.of(referenceIds(), null);
        try (BertModel loaded = BertModel.load(dir)) {
            assertThat(loaded.forward(in).lastHiddenState()).containsExactly(model.forward(in).lastHiddenState());
        }
    }

    @Test
    void reproducesTheRecordedReferenceValues() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(resource("reference/minilm-ort-reference.json"));
        List<int[]> ids = referenceIds();
        EncoderOutput out = model.forward(EncoderInput.of(ids, null));
        int b = 0;
        for (JsonNode item : ref.get("items")) {
            float[] cls = out.cls(b);
            float[] mean = out.meanPooled(b);
            for (int j = 0; j < 8; j++) {
                assertThat((double) cls[j]).isCloseTo(item.get("last_hidden_state_token0_first8").get(j).asDouble(),
                        org.assertj.core.data.Offset.offset(1e-4));
                assertThat((double) mean[j]).isCloseTo(item.get("mean_pool_first8").get(j).asDouble(),
                        org.assertj.core.data.Offset.offset(1e-4));
            }
            double norm = 0;
            for (float v : mean) {
                norm += v * v;
            }
            assertThat(Math.sqrt(norm)).isCloseTo(item.get("l2norm_of_mean_pool").asDouble(),
                    org.assertj.core.data.Offset.offset(1e-4));
            b++;
        }
    }
}
