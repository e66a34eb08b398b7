package dev.bertj.core.pretrain;

import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.TrainingReference;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.pretrain.data.PretrainingBatch;
import dev.bertj.core.pretrain.data.TrainingInstance;
import dev.bertj.core.train.StepResult;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * The joint pre-training objective against a double-precision reference: the loss values and metrics, and the
 * gradient of {@code lossScale * (MLM + NSP)} for every parameter tensor (a sample of each one's elements) against
 * central finite differences, including the next-sentence head and the tied decoder.
 */
class PretrainingTaskTest {

    /** No dropout: the reference then needs no masks. */
    static final BertConfig TINY = new BertConfig(30, 16, 2, 2, 32, "gelu", 0.0, 0.0, 10, 2, 1e-12, 0.02, 0, Map.of());

    static PretrainingModel randomModel(long seed) {
        return randomModel(TINY, seed);
    }

    static PretrainingModel randomModel(BertConfig config, long seed) {
        PretrainingModel m = PretrainingModel.fromScratch(config, seed);
        Rng rng = new Rng(seed + 1);
        for (Parameter p : m.parameters()) {
            FloatBuffer v = Floats.of(p.value()).buffer();
            boolean gain = p.name().endsWith("LayerNorm.weight");
            for (int i = 0; i < v.capacity(); i++) {
                v.put(i, (float) ((gain ? 1 : 0) + rng.nextGaussian() * (gain ? 0.2 : 0.4)));
            }
        }
        return m;
    }

    /** Two instances: [CLS] a a [SEP] b b [SEP] padded to 9, masked at 2 and 3 positions; one IsNext, one random. */
    static PretrainingBatch batch() {
        PretrainingBatch b = new PretrainingBatch(2, 9, 4, 0);
        b.add(new TrainingInstance(new int[] {2, 7, 4, 3, 9, 11, 3}, 4, false, new int[] {1, 5}, new int[] {8, 12}));
        b.add(new TrainingInstance(new int[] {2, 13, 4, 14, 3, 15, 16, 4, 3}, 5, true, new int[] {2, 3, 7},
                new int[] {17, 18, 19}));
        return b;
    }

    /** The reference's joint loss: weighted-mean MLM cross-entropy plus mean NSP cross-entropy. */
    static double[] referenceLosses(TrainingReference ref, PretrainingBatch b) {
        int n = b.batchSize * b.maxSeqLength;
        int[] types = b.tokenTypeIds;
        var out = ref.forward(b.batchSize, b.maxSeqLength, b.inputIds, types, b.attentionMask,
                TrainingReference.NO_DROPOUT);
        double mlm = 0;
        double weight = 0;
        for (int r = 0; r < b.batchSize; r++) {
            for (int k = 0; k < b.maxPredictionsPerSeq; k++) {
                int slot = r * b.maxPredictionsPerSeq + k;
                if (b.maskedLmWeights[slot] > 0) {
                    double[] logits = ref.mlmLogits(out.sequence()[r][b.maskedLmPositions[slot]]);
                    mlm += b.maskedLmWeights[slot] * TrainingReference.crossEntropy(logits, b.maskedLmIds[slot]);
                    weight += b.maskedLmWeights[slot];
                }
            }
        }
        double nsp = 0;
        for (int r = 0; r < b.batchSize; r++) {
            nsp += TrainingReference.crossEntropy(ref.nspLogits(out.pooled()[r]), b.nextSentenceLabels[r]);
        }
        assertThat(n).isPositive();
        return new double[] {mlm / weight, nsp / b.batchSize};
    }

    @Test
    void lossesAndEveryGradientMatchTheReference() {
        checkAgainstTheReference(TINY, batch(), 3, 16, 40);
    }

    /**
     * Shapes where the vector kernels run full lanes and tails and the row loops split across threads: hidden 64
     * in 4 heads, sequences of 37 tokens, three instances of different lengths.
     */
    @Test
    void gradientsMatchTheReferenceAtWiderShapes() {
        BertConfig wide = new BertConfig(97, 64, 2, 4, 128, "gelu", 0.0, 0.0, 40, 2, 1e-12, 0.02, 0, Map.of());
        Rng rng = new Rng(11);
        int seq = 37;
        PretrainingBatch b = new PretrainingBatch(3, seq, 6, 0);
        int[] lengths = {seq, 29, 12};
        long tokens = 0;
        for (int r = 0; r < 3; r++) {
            int len = lengths[r];
            int[] ids = new int[len];
            for (int i = 0; i < len; i++) {
                ids[i] = 5 + rng.nextInt(wide.vocabSize() - 5);
            }
            int a = len / 2;
            ids[0] = 2;
            ids[a] = 3;
            ids[len - 1] = 3;
            int[] positions = {1, 3, a - 1, a + 2, len - 2};
            int[] labels = new int[positions.length];
            for (int k = 0; k < positions.length; k++) {
                labels[k] = 5 + rng.nextInt(wide.vocabSize() - 5);
                ids[positions[k]] = 4;
            }
            b.add(new TrainingInstance(ids, a + 1, r % 2 == 1, positions, labels));
            tokens += len;
        }
        // Fewer sampled elements per tensor: each check is two reference forward passes at these shapes.
        checkAgainstTheReference(wide, b, 8, tokens, 12);
    }

    private static void checkAgainstTheReference(BertConfig config, PretrainingBatch b, long seed, long tokens,
                                                 int checksPerTensor) {
        try (PretrainingModel model = randomModel(config, seed)) {
            PretrainingTask task = new PretrainingTask(model, new Rng(1));
            float lossScale = 0.5f;
            StepResult r = task.trainStep(b, lossScale);

            TrainingReference ref = new TrainingReference(config, model.parameters(), PretrainingModel.ENCODER_PREFIX);
            double[] expected = referenceLosses(ref, b);
            assertThat(r.metrics().get("mlm_loss")).isCloseTo(expected[0], offset(1e-4));
            assertThat(r.metrics().get("nsp_loss")).isCloseTo(expected[1], offset(1e-4));
            assertThat(r.loss()).isCloseTo(expected[0] + expected[1], offset(2e-4));
            assertThat(r.tokens()).isEqualTo(tokens);
            assertThat(r.metrics()).containsKeys("mlm_accuracy", "nsp_accuracy");

            Rng pick = new Rng(7);
            double step = 1e-5;
            List<String> failures = new ArrayList<>();
            for (Parameter p : model.parameters()) {
                float[] engine = p.grad().dup().data().asFloat();
                double[] values = ref.params.get(p.name());
                double diff = 0;
                double norm = 0;
                int checks = Math.min(values.length, checksPerTensor);
                for (int c = 0; c < checks; c++) {
                    int i = values.length <= checks ? c : pick.nextInt(values.length);
                    double keep = values[i];
                    values[i] = keep + step;
                    double[] plus = referenceLosses(ref, b);
                    values[i] = keep - step;
                    double[] minus = referenceLosses(ref, b);
                    values[i] = keep;
                    double fd = lossScale * (plus[0] + plus[1] - minus[0] - minus[1]) / (2 * step);
                    diff += (engine[i] - fd) * (engine[i] - fd);
                    norm += fd * fd;
                }
                if (p.name().endsWith("attention.self.key.bias")) {
                    continue; // analytically zero (softmax ignores a shift shared by a row); checked in BertBackwardTest
                }
                double rel = Math.sqrt(diff) / Math.sqrt(norm);
                if (!(rel < 1e-3)) {
                    failures.add(p.name() + ": relative error " + rel + " (|fd| " + Math.sqrt(norm) + ")");
                }
            }
            assertThat(failures).isEmpty();
            task.close();
        }
    }

    @Test
    void evaluationReportsTheSameLossesWithoutTouchingGradients() {
        try (PretrainingModel model = randomModel(4)) {
            PretrainingTask task = new PretrainingTask(model, new Rng(1));
            Map<String, Double> eval = task.evaluate(List.of(batch()));
            for (Parameter p : model.parameters()) {
                assertThat(p.grad().dup().data().asFloat()).as(p.name()).containsOnly(0f);
            }
            StepResult train = task.trainStep(batch(), 1f);
            // No dropout in this config: training and evaluation see the same numbers.
            assertThat(eval.get("mlm_loss")).isCloseTo(train.metrics().get("mlm_loss"), offset(1e-6));
            assertThat(eval.get("nsp_loss")).isCloseTo(train.metrics().get("nsp_loss"), offset(1e-6));
            assertThat(eval.get("mlm_accuracy")).isEqualTo(train.metrics().get("mlm_accuracy"));
            assertThat(eval.get("loss")).isCloseTo(train.loss(), offset(1e-6));
            task.close();
        }
    }

    @Test
    void badLabelsAreNamed() {
        try (PretrainingModel model = randomModel(5)) {
            PretrainingTask task = new PretrainingTask(model, new Rng(1));
            PretrainingBatch b = batch();
            b.maskedLmIds[0] = TINY.vocabSize();
            assertThatThrownBy(() -> task.trainStep(b, 1f)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("masked-LM label 30");
            PretrainingBatch c = batch();
            c.nextSentenceLabels[1] = 2;
            assertThatThrownBy(() -> task.trainStep(c, 1f)).hasMessageContaining("next-sentence label 2");
            task.close();
        }
    }
}
