package dev.bertj.core.model;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine against a naive double-precision reference, on a tiny random BERT (every parameter random). */
class BertModelTest {

    static final BertConfig TINY = new BertConfig(97, 48, 3, 4, 80, "gelu", 0.1, 0.1, 40, 2, 1e-12, 0.02, 0, Map.of());
    static BertModel model;
    static ReferenceBert reference;

    @BeforeAll
    static void setUp() {
        model = randomModel(TINY, 7);
        reference = new ReferenceBert(model);
    }

    @AfterAll
    static void tearDown() {
        model.close();
    }

    /** Every parameter random (not BERT's init, which leaves biases 0 and LayerNorm 1 and would hide mistakes). */
    static BertModel randomModel(BertConfig config, long seed) {
        BertModel m = BertModel.create(config, true, true);
        Rng rng = new Rng(seed);
        for (Parameter p : m.parameters()) {
            FloatBuffer v = Floats.of(p.value()).buffer();
            boolean gain = p.name().endsWith("LayerNorm.weight");
            for (int i = 0; i < v.capacity(); i++) {
                v.put(i, (float) ((gain ? 1 : 0) + rng.nextGaussian() * (gain ? 0.2 : 0.3)));
            }
        }
        return m;
    }

    static int[] randomIds(Rng rng, int n, int bound) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextInt(bound);
        }
        return a;
    }

    static void assertClose(float[] actual, int offset, double[] expected, double tol, String what) {
        for (int j = 0; j < expected.length; j++) {
            double d = Math.abs(actual[offset + j] - expected[j]);
            if (!(d <= tol)) {
                throw new AssertionError(what + "[" + j + "]: got " + actual[offset + j] + ", expected " + expected[j]
                        + " (|diff| " + d + " > " + tol + ")");
            }
        }
    }

    @Test
    void paddedBatchMatchesReferenceOnEachSequenceAlone() {
        Rng rng = new Rng(1);
        int[] lengths = {7, 3, 12, 1};
        List<int[]> ids = new ArrayList<>();
        List<int[]> types = new ArrayList<>();
        for (int len : lengths) {
            ids.add(randomIds(rng, len, TINY.vocabSize()));
            types.add(randomIds(rng, len, 2));
        }
        EncoderInput in = EncoderInput.of(ids, types);
        EncoderOutput out = model.forward(in);
        int h = TINY.hiddenSize();
        for (int b = 0; b < lengths.length; b++) {
            int[] mask = new int[lengths[b]];
            java.util.Arrays.fill(mask, 1);
            double[][] expected = reference.lastHidden(ids.get(b), types.get(b), mask);
            for (int s = 0; s < lengths[b]; s++) {
                assertClose(out.lastHiddenState(), (b * in.seqLen() + s) * h, expected[s], 2e-5,
                        "sequence " + b + " token " + s);
            }
            assertClose(out.pooled(b), 0, reference.pooled(expected[0]), 2e-5, "pooled " + b);
        }
    }

    @Test
    void paddingDoesNotChangeRealTokens() {
        Rng rng = new Rng(2);
        int[] a = randomIds(rng, 9, TINY.vocabSize());
        int[] longer = randomIds(rng, 30, TINY.vocabSize());
        EncoderOutput alone = model.forward(EncoderInput.of(a));
        EncoderOutput padded = model.forward(EncoderInput.of(longer, a));
        int h = TINY.hiddenSize();
        for (int s = 0; s < a.length; s++) {
            for (int j = 0; j < h; j++) {
                float x = alone.lastHiddenState()[s * h + j];
                float y = padded.lastHiddenState()[(30 + s) * h + j];
                assertThat((double) Math.abs(x - y)).as("token %d dim %d", s, j).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    @Test
    void maskWithHolesMatchesReference() {
        Rng rng = new Rng(3);
        int n = 11;
        int[] ids = randomIds(rng, n, TINY.vocabSize());
        int[] types = randomIds(rng, n, 2);
        int[] mask = {1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0};
        EncoderOutput out = model.forward(new EncoderInput(1, n, ids, types, mask));
        double[][] expected = reference.lastHidden(ids, types, mask);
        for (int s = 0; s < n; s++) {
            assertClose(out.lastHiddenState(), s * TINY.hiddenSize(), expected[s], 2e-5, "token " + s);
        }
    }

    @Test
    void maskedLmLogitsMatchReference() {
        Rng rng = new Rng(4);
        int[] ids = randomIds(rng, 6, TINY.vocabSize());
        int[] mask = {1, 1, 1, 1, 1, 1};
        EncoderInput in = EncoderInput.of(ids);
        float[][] logits = model.maskedLmLogits(in, new int[] {2, 5, 0});
        double[][] hidden = reference.lastHidden(ids, new int[6], mask);
        int[] rows = {2, 5, 0};
        for (int i = 0; i < rows.length; i++) {
            assertClose(logits[i], 0, reference.mlmLogits(hidden[rows[i]]), 1e-4, "logits of position " + rows[i]);
        }
    }

    @Test
    void concurrentCallersGetTheSameAnswers() throws Exception {
        Rng rng = new Rng(5);
        List<EncoderInput> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            EncoderInput in = EncoderInput.of(randomIds(rng, 3 + 5 * i, TINY.vocabSize()),
                    randomIds(rng, 4 + i, TINY.vocabSize()));
            inputs.add(in);
            expected.add(model.forward(in).lastHiddenState());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int start = t;
                futures.add(pool.submit(() -> {
                    for (int k = 0; k < 30; k++) {
                        int i = (start + k) % inputs.size();
                        float[] got = model.forward(inputs.get(i)).lastHiddenState();
                        float[] want = expected.get(i);
                        for (int j = 0; j < want.length; j++) {
                            if (Math.abs(got[j] - want[j]) > 1e-5) {
                                throw new AssertionError("input " + i + " value " + j + ": " + got[j] + " vs " + want[j]);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void rejectsInputsItCannotEncode() {
        assertThatThrownBy(() -> model.forward(EncoderInput.of(new int[41])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_position_embeddings 40");
        assertThatThrownBy(() -> model.forward(EncoderInput.of(new int[] {1, 97})))
                .hasMessageContaining("token id 97").hasMessageContaining("vocabulary");
        assertThatThrownBy(() -> model.forward(new EncoderInput(1, 2, new int[] {1, 2}, new int[] {0, 2}, null)))
                .hasMessageContaining("token type id 2");
        assertThatThrownBy(() -> new EncoderInput(1, 2, new int[] {1, 2}, null, new int[] {0, 0}))
                .hasMessageContaining("no token to attend");
        EncoderOutput truncated = model.forward(EncoderInput.of(new int[60]).truncate(40));
        assertThat(truncated.seqLen()).isEqualTo(40);
    }

    @Test
    void loadsFromTensorStoreWithOrWithoutBertPrefixAndNamesWhatIsWrong() {
        int[] ids = {5, 9, 33, 2};
        float[] want = model.forward(EncoderInput.of(ids)).lastHiddenState();
        for (String prefix : new String[] {"", "bert."}) {
            try (BertModel loaded = BertModel.load(TINY, MapTensorStore.of(model, prefix))) {
                assertThat(loaded.hasPooler()).isTrue();
                assertThat(loaded.hasMlmHead()).isTrue();
                assertThat(loaded.forward(EncoderInput.of(ids)).lastHiddenState()).containsExactly(want);
            }
        }
        MapTensorStore missing = MapTensorStore.of(model, "bert.").remove("bert.encoder.layer.1.attention.self.key.bias");
        assertThatThrownBy(() -> BertModel.load(TINY, missing)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("memory").hasMessageContaining("bert.encoder.layer.1.attention.self.key.bias");
        MapTensorStore wrong = MapTensorStore.of(model, "")
                .put("encoder.layer.2.intermediate.dense.weight", new long[] {81, 48}, new float[81 * 48]);
        assertThatThrownBy(() -> BertModel.load(TINY, wrong)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("encoder.layer.2.intermediate.dense.weight").hasMessageContaining("[81, 48]")
                .hasMessageContaining("[80, 48]");
        MapTensorStore noPooler = MapTensorStore.of(model, "").remove("pooler.dense.weight").remove("pooler.dense.bias");
        try (BertModel loaded = BertModel.load(TINY, noPooler)) {
            assertThat(loaded.hasPooler()).isFalse();
            assertThatThrownBy(() -> loaded.forward(EncoderInput.of(ids)).pooled(0)).hasMessageContaining("no pooler");
        }
    }

    @Test
    void savesTheNativeLayoutAndLoadsItBack(@TempDir Path dir) throws Exception {
        model.save(dir);
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("model.safetensors")).exists();
        int[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
        EncoderOutput want = model.forward(EncoderInput.of(ids));
        try (BertModel loaded = BertModel.load(dir)) {
            assertThat(loaded.config()).usingRecursiveComparison().ignoringFields("extra").isEqualTo(TINY);
            EncoderOutput got = loaded.forward(EncoderInput.of(ids));
            assertThat(got.lastHiddenState()).containsExactly(want.lastHiddenState());
            assertThat(got.pooled(0)).containsExactly(want.pooled(0));
            assertThat(loaded.maskedLmLogits(EncoderInput.of(ids), new int[] {3})[0])
                    .containsExactly(model.maskedLmLogits(EncoderInput.of(ids), new int[] {3})[0]);
        }
    }
}
