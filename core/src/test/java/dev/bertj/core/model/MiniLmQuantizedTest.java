package dev.bertj.core.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.onnx.OnnxBertImporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static dev.bertj.core.model.MiniLmVsOnnxRuntimeTest.ort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The int8 all-MiniLM-L6-v2 ({@code -q}, onnxruntime's dynamic quantization), dequantized on import, against
 * ONNX Runtime running the quantized file. They cannot agree to 1e-4: ORT also quantizes every activation to
 * uint8 (per tensor, per call) before its integer GEMMs, while bertj multiplies float activations by the
 * dequantized weights. The stated tolerance, on the reference sentences: every token vector within cosine 0.975
 * of ORT's, every mean-pooled sentence vector within cosine 0.985, max |diff| 0.5 (measured: 0.9815, 0.990, 0.34). And on every input, bertj's
 * int8 model is at least as close to the float model (ORT fp32) as ORT's int8 run is, which shows the remaining
 * gap is ORT's activation quantization, not a weight misread.
 */
class MiniLmQuantizedTest {

    static OrtSession quantized;
    static OrtSession fp32;
    static BertModel model;

    @BeforeAll
    static void load() throws Exception {
        byte[] onnx = MiniLmVsOnnxRuntimeTest.resource("all-minilm-l6-v2-q.onnx");
        try (ImportedModel imported = OnnxBertImporter.read(ByteBuffer.wrap(onnx), "all-minilm-l6-v2-q.onnx", null)) {
            model = BertModel.load(imported.config(), imported.tensors());
        }
        MiniLmVsOnnxRuntimeTest.env = OrtEnvironment.getEnvironment();
        quantized = MiniLmVsOnnxRuntimeTest.env.createSession(onnx, MiniLmVsOnnxRuntimeTest.ortOptions());
        fp32 = MiniLmVsOnnxRuntimeTest.env.createSession(MiniLmVsOnnxRuntimeTest.resource("all-minilm-l6-v2.onnx"),
                MiniLmVsOnnxRuntimeTest.ortOptions());
    }

    @AfterAll
    static void close() throws Exception {
        quantized.close();
        fp32.close();
        model.close();
    }

    static double cosine(float[] a, int ao, float[] b, int bo, int n) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < n; j++) {
            dot += a[ao + j] * b[bo + j];
            na += a[ao + j] * a[ao + j];
            nb += b[bo + j] * b[bo + j];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Per sequence, the smallest cosine between corresponding real-token vectors of a and b. */
    static double[] worstTokenCosine(float[] a, float[] b, EncoderInput in, int h) {
        double[] worst = new double[in.batch()];
        for (int s = 0; s < in.batch(); s++) {
            worst[s] = 1;
            for (int t = 0; t < in.length(s); t++) {
                int o = (s * in.seqLen() + t) * h;
                worst[s] = Math.min(worst[s], cosine(a, o, b, o, h));
            }
        }
        return worst;
    }

    @Test
    void agreesWithOnnxRuntimeInt8WithinTheStatedTolerance() throws Exception {
        EncoderInput in = EncoderInput.of(MiniLmVsOnnxRuntimeTest.referenceIds(), null);
        EncoderOutput ours = model.forward(in);
        float[] theirs = ort(quantized, in);
        int h = 384;
        double[] tokens = worstTokenCosine(ours.lastHiddenState(), theirs, in, h);
        double worstMean = 1;
        for (int b = 0; b < in.batch(); b++) {
            float[] theirMean = new float[h];
            for (int s = 0; s < in.length(b); s++) {
                for (int j = 0; j < h; j++) {
                    theirMean[j] += theirs[(b * in.seqLen() + s) * h + j] / in.length(b);
                }
            }
            worstMean = Math.min(worstMean, cosine(ours.meanPooled(b), 0, theirMean, 0, h));
        }
        double maxDiff = MiniLmVsOnnxRuntimeTest.maxAbsDiff(ours.lastHiddenState(), theirs, in, true);
        double worstToken = java.util.Arrays.stream(tokens).min().orElseThrow();
        System.out.printf("MiniLM int8 vs ORT int8: min token cosine %.4f, min mean-pool cosine %.5f, max |diff| %.3f%n",
                worstToken, worstMean, maxDiff);
        assertThat(worstToken).isGreaterThanOrEqualTo(0.975);
        assertThat(worstMean).isGreaterThanOrEqualTo(0.985);
        assertThat(maxDiff).isLessThanOrEqualTo(0.5);
    }

    @Test
    void losesNoMoreThanOnnxRuntimeInt8AgainstTheFloatModel() throws Exception {
        List<int[]> ids = new ArrayList<>(MiniLmVsOnnxRuntimeTest.referenceIds());
        ids.addAll(MiniLmVsOnnxRuntimeTest.randomSentences(21, 128, 40));
        EncoderInput in = EncoderInput.of(ids, null);
        float[] reference = ort(fp32, in);
        double[] ours = worstTokenCosine(model.forward(in).lastHiddenState(), reference, in, 384);
        double[] theirs = worstTokenCosine(ort(quantized, in), reference, in, 384);
        for (int b = 0; b < in.batch(); b++) {
            assertThat(ours[b]).as("sequence %d: bertj int8 vs fp32 (ORT int8 vs fp32: %.4f)", b, theirs[b])
                    .isGreaterThanOrEqualTo(theirs[b]);
        }
    }
}
