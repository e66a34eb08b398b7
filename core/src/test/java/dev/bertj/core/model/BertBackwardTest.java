package dev.bertj.core.model;

import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The encoder's hand-written backward pass against central finite differences of a double-precision reference
 * ({@link TrainingReference}) on a tiny BERT whose every parameter is random: every parameter tensor within 1e-3
 * relative error, with dropout (the reference replays the engine's masks) and without, through padding and a
 * non-prefix attention mask. Tensors larger than a few hundred elements are checked on a random sample of them.
 */
class BertBackwardTest {

    /** 2 layers, hidden 32, 4 heads, intermediate 64, vocab 50, 8 positions; dropout 0.1 everywhere. */
    static final BertConfig TINY = new BertConfig(50, 32, 2, 4, 64, "gelu", 0.1, 0.1, 8, 2, 1e-12, 0.02, 0, Map.of());
    static final int PAD = 0;
    static final double TOLERANCE = 1e-3;

    /**
     * A scalar loss over everything the encoder and its masked-LM head produce: {@code sum c . sequence + sum d .
     * pooled + sum e . mlmLogits(rows)}, with random coefficients (c = 0 on padding).
     */
    record Problem(EncoderInput input, double[] c, double[] d, int[] rows, double[] e) {
    }

    static Problem problem(int[][] masks, long seed) {
        Rng rng = new Rng(seed);
        int batch = masks.length;
        int seqLen = masks[0].length;
        int t = batch * seqLen;
        int[] ids = new int[t];
        int[] types = new int[t];
        int[] mask = new int[t];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seqLen; s++) {
                int i = b * seqLen + s;
                mask[i] = masks[b][s];
                ids[i] = mask[i] == 1 ? 1 + rng.nextInt(TINY.vocabSize() - 1) : PAD;
                types[i] = s >= seqLen / 2 && mask[i] == 1 ? 1 : 0;
            }
        }
        int h = TINY.hiddenSize();
        double[] c = new double[t * h];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < h; j++) {
                c[i * h + j] = mask[i] == 1 ? rng.nextGaussian() : 0;
            }
        }
        double[] d = gaussians(rng, batch * h);
        List<Integer> real = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            if (mask[i] == 1 && i % 3 == 1) {
                real.add(i);
            }
        }
        int[] rows = real.stream().mapToInt(Integer::intValue).toArray();
        double[] e = gaussians(rng, rows.length * TINY.vocabSize());
        return new Problem(new EncoderInput(batch, seqLen, ids, types, mask), c, d, rows, e);
    }

    static double[] gaussians(Rng rng, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextGaussian();
        }
        return a;
    }

    static Floats floats(double[] values) {
        Floats f = Floats.allocate(values.length);
        for (int i = 0; i < values.length; i++) {
            f.set(i, (float) values[i]);
        }
        return f;
    }

    /** Engine: forward (with dropout when {@code dropout} is non-null), the loss's gradients, backward. */
    static BertActivations engineGradients(BertModel model, Problem pb, Rng dropout) {
        for (Parameter p : model.parameters()) {
            if (p.trainable()) {
                p.grad().assign(0);
            }
        }
        BertActivations act = model.newActivations(true);
        if (dropout != null) {
            model.forward(pb.input(), act, dropout);
        } else {
            model.forward(pb.input(), act);
        }
        try (BertLMPredictionHead.Activations head = model.mlmHead().orElseThrow().newActivations(pb.rows().length)) {
            model.maskedLmForward(act, pb.rows(), pb.rows().length, head);
            Floats dLogits = head.logits();
            for (int i = 0; i < pb.e().length; i++) {
                dLogits.set(i, (float) pb.e()[i]);
            }
            Floats dSequence = floats(pb.c());
            Floats dPooled = floats(pb.d());
            model.maskedLmBackward(pb.rows(), head, dSequence);
            model.backward(act, dSequence, dPooled);
            dSequence.release();
            dPooled.release();
        }
        return act;
    }

    static double referenceLoss(TrainingReference ref, Problem pb, TrainingReference.Masks masks) {
        EncoderInput in = pb.input();
        TrainingReference.Outputs out = ref.forward(in.batch(), in.seqLen(), in.inputIds(), in.tokenTypeIds(),
                in.attentionMask(), masks);
        int h = TINY.hiddenSize();
        int v = TINY.vocabSize();
        double loss = 0;
        for (int b = 0; b < in.batch(); b++) {
            for (int s = 0; s < in.seqLen(); s++) {
                for (int j = 0; j < h; j++) {
                    loss += pb.c()[(b * in.seqLen() + s) * h + j] * out.sequence()[b][s][j];
                }
            }
            for (int j = 0; j < h; j++) {
                loss += pb.d()[b * h + j] * out.pooled()[b][j];
            }
        }
        for (int i = 0; i < pb.rows().length; i++) {
            int r = pb.rows()[i];
            double[] logits = ref.mlmLogits(out.sequence()[r / in.seqLen()][r % in.seqLen()]);
            for (int w = 0; w < v; w++) {
                loss += pb.e()[i * v + w] * logits[w];
            }
        }
        return loss;
    }

    /** The engine's dropout masks of the last training forward pass, for the reference to replay. */
    static TrainingReference.Masks masksOf(BertActivations act) {
        int h = act.hidden;
        int s = act.seqLen;
        int heads = act.heads;
        float[] embedding = act.embeddingKeep.toArray();
        float[][] probs = new float[act.layers][];
        float[][] attention = new float[act.layers][];
        float[][] output = new float[act.layers][];
        for (int l = 0; l < act.layers; l++) {
            probs[l] = act.layer[l].probsKeep.toArray();
            attention[l] = act.layer[l].attentionKeep.toArray();
            output[l] = act.layer[l].outputKeep.toArray();
        }
        return new TrainingReference.Masks() {
            public double embedding(int b, int t, int j) {
                return embedding[(b * s + t) * h + j];
            }

            public double probs(int layer, int b, int head, int i, int j) {
                return probs[layer][((b * heads + head) * s + i) * s + j];
            }

            public double attentionOutput(int layer, int b, int t, int j) {
                return attention[layer][(b * s + t) * h + j];
            }

            public double output(int layer, int b, int t, int j) {
                return output[layer][(b * s + t) * h + j];
            }
        };
    }

    /**
     * Per parameter tensor: ||engine - finite differences|| / ||finite differences|| over its elements (all of
     * them, or {@code sample} random ones when the tensor is larger). Returns the failures, one line each.
     */
    static List<String> compare(BertModel model, TrainingReference ref, Problem pb, TrainingReference.Masks masks,
                                int sample, double tolerance) {
        List<String> failures = new ArrayList<>();
        Rng pick = new Rng(99);
        double step = 1e-5;
        for (Parameter p : model.parameters()) {
            float[] engine = p.grad().dup().data().asFloat();
            double[] values = ref.params.get(p.name());
            int n = values.length;
            int[] idx = new int[Math.min(n, sample)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = n <= sample ? i : pick.nextInt(n);
            }
            double diff = 0;
            double norm = 0;
            for (int i : idx) {
                double keep = values[i];
                values[i] = keep + step;
                double plus = referenceLoss(ref, pb, masks);
                values[i] = keep - step;
                double minus = referenceLoss(ref, pb, masks);
                values[i] = keep;
                double fd = (plus - minus) / (2 * step);
                diff += (engine[i] - fd) * (engine[i] - fd);
                norm += fd * fd;
            }
            if (p.name().endsWith("attention.self.key.bias")) {
                // Analytically zero: a key bias adds q . b to every score of a row, which softmax ignores.
                if (!(Math.sqrt(norm) < 1e-6 && Math.sqrt(diff) < 1e-4)) {
                    failures.add(String.format("%s: should be ~0, engine off by %.3g (|fd| %.3g)", p.name(),
                            Math.sqrt(diff), Math.sqrt(norm)));
                }
                continue;
            }
            double rel = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-12);
            if (!(rel <= tolerance) || norm == 0) {
                failures.add(String.format("%s: relative error %.3g (|fd| %.3g over %d elements)", p.name(), rel,
                        Math.sqrt(norm), idx.length));
            }
        }
        return failures;
    }

    @Test
    void everyParameterGradientMatchesFiniteDifferencesWithDropout() {
        try (BertModel model = BertModelTest.randomModel(TINY, 3)) {
            Problem pb = problem(new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}}, 5);
            try (BertActivations act = engineGradients(model, pb, new Rng(11))) {
                TrainingReference ref = new TrainingReference(TINY, model.parameters(), "");
                List<String> failures = compare(model, ref, pb, masksOf(act), 300, TOLERANCE);
                assertThat(failures).as("tensors whose gradient disagrees with finite differences").isEmpty();
            }
        }
    }

    @Test
    void everyParameterGradientMatchesFiniteDifferencesWithoutDropoutThroughPaddingAndHoles() {
        try (BertModel model = BertModelTest.randomModel(TINY, 4)) {
            // Right padding, and a mask with holes (keys 2 and 5 hidden), which takes the masked-softmax path.
            Problem pb = problem(new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0, 0}, {1, 1, 0, 1, 1, 0, 1}}, 6);
            try (BertActivations act = engineGradients(model, pb, null)) {
                TrainingReference ref = new TrainingReference(TINY, model.parameters(), "");
                List<String> failures = compare(model, ref, pb, TrainingReference.NO_DROPOUT, 100, TOLERANCE);
                assertThat(failures).as("tensors whose gradient disagrees with finite differences").isEmpty();
            }
        }
    }

    static float[] grad(BertModel model, String name) {
        return model.parameter(name).grad().dup().data().asFloat();
    }

    static Map<String, float[]> allGrads(BertModel model) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            if (p.hasGrad()) {
                out.put(p.name(), p.grad().dup().data().asFloat());
            }
        }
        return out;
    }

    @Test
    void paddingGetsNoGradientThroughTheAttentionMask() {
        try (BertModel model = BertModelTest.randomModel(TINY, 8)) {
            Problem withMlm = problem(new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0}}, 9);
            // No masked-LM term: its tied decoder gives every vocabulary row a gradient, padding id included.
            Problem pb = new Problem(withMlm.input(), withMlm.c(), withMlm.d(), new int[0], new double[0]);
            engineGradients(model, pb, new Rng(1)).close();
            // The padding id appears only at padded positions: nothing may reach its embedding row.
            float[] word = grad(model, "embeddings.word_embeddings.weight");
            int h = TINY.hiddenSize();
            for (int j = 0; j < h; j++) {
                assertThat(word[PAD * h + j]).as("d word_embeddings[PAD][%d]", j).isEqualTo(0f);
            }
            Map<String, float[]> before = allGrads(model);

            // What the padded positions hold changes no gradient but their own (zero) embedding rows.
            int[] ids = pb.input().inputIds().clone();
            int[] mask = pb.input().attentionMask();
            Rng rng = new Rng(2);
            for (int i = 0; i < ids.length; i++) {
                if (mask[i] == 0) {
                    ids[i] = 1 + rng.nextInt(TINY.vocabSize() - 1);
                }
            }
            EncoderInput changed = new EncoderInput(pb.input().batch(), pb.input().seqLen(), ids,
                    pb.input().tokenTypeIds(), mask);
            engineGradients(model, new Problem(changed, pb.c(), pb.d(), pb.rows(), pb.e()), new Rng(1)).close();
            Map<String, float[]> after = allGrads(model);
            for (var e : before.entrySet()) {
                assertThat(after.get(e.getKey())).as(e.getKey()).containsExactly(e.getValue(),
                        org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void dropoutIsDeterministicPerSeedAndAbsentInInference() {
        try (BertModel model = BertModelTest.randomModel(TINY, 10)) {
            Problem pb = problem(new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}}, 11);
            float[] first;
            Map<String, float[]> firstGrads;
            try (BertActivations act = engineGradients(model, pb, new Rng(42))) {
                first = act.lastHiddenState().toArray();
                float[] keep = act.embeddingKeep.toArray();
                long dropped = 0;
                for (float k : keep) {
                    assertThat(k).isIn(0f, 1f / 0.9f);
                    dropped += k == 0 ? 1 : 0;
                }
                assertThat(dropped).as("some embedding outputs are dropped").isPositive();
                firstGrads = allGrads(model);
            }
            try (BertActivations act = engineGradients(model, pb, new Rng(42))) {
                assertThat(act.lastHiddenState().toArray()).as("same seed, same pass").containsExactly(first);
                Map<String, float[]> again = allGrads(model);
                firstGrads.forEach((name, g) -> assertThat(again.get(name)).as(name).containsExactly(g));
            }
            try (BertActivations act = engineGradients(model, pb, new Rng(43))) {
                assertThat(act.lastHiddenState().toArray()).as("another seed drops other units")
                        .isNotEqualTo(first);
            }
            // Evaluation in a training workspace and inference: no dropout, the same numbers.
            try (BertActivations act = model.newActivations(true)) {
                model.forward(pb.input(), act);
                float[] eval = act.lastHiddenState().toArray();
                EncoderOutput inference = model.forward(pb.input());
                int n = pb.input().tokens() * TINY.hiddenSize();
                float[] inf = inference.lastHiddenState();
                for (int i = 0; i < n; i++) {
                    assertThat(inf[i]).isCloseTo(eval[i], org.assertj.core.data.Offset.offset(1e-6f));
                }
                assertThat(eval).isNotEqualTo(first);
            }
        }
    }

    @Test
    void frozenParametersGetNoGradientAndTheRestAreUnchanged() {
        try (BertModel model = BertModelTest.randomModel(TINY, 12)) {
            Problem pb = problem(new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}}, 13);
            engineGradients(model, pb, new Rng(5)).close();
            Map<String, float[]> all = allGrads(model);
            List<String> frozen = new ArrayList<>();
            for (Parameter p : model.parameters()) {
                if (p.name().startsWith("embeddings.") || p.name().startsWith("encoder.layer.0.")) {
                    p.setTrainable(false);
                    p.grad().assign(0);
                    frozen.add(p.name());
                }
            }
            engineGradients(model, pb, new Rng(5)).close();
            for (Parameter p : model.parameters()) {
                float[] g = p.grad().dup().data().asFloat();
                if (frozen.contains(p.name())) {
                    assertThat(g).as(p.name()).containsOnly(0f);
                } else {
                    assertThat(g).as(p.name()).containsExactly(all.get(p.name()));
                }
            }
        }
    }

    @Test
    void gradientsAccumulateAcrossBackwardPasses() {
        try (BertModel model = BertModelTest.randomModel(TINY, 14)) {
            Problem pb = problem(new int[][] {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0, 0}}, 15);
            engineGradients(model, pb, new Rng(6)).close();
            Map<String, float[]> once = allGrads(model);
            BertActivations act = model.newActivations(true);
            model.forward(pb.input(), act, new Rng(6));
            model.backward(act, floats(pb.c()), null);
            // Without zeroing, the second pass adds to the first (here: only the sequence-output part).
            for (Parameter p : model.parameters()) {
                if (p.name().startsWith("cls.") || p.name().startsWith("pooler.")) {
                    assertThat(p.grad().dup().data().asFloat()).as(p.name()).containsExactly(once.get(p.name()));
                } else if (!p.name().endsWith("key.bias")) {
                    float[] g = p.grad().dup().data().asFloat();
                    float[] base = once.get(p.name());
                    boolean changed = false;
                    for (int i = 0; i < g.length; i++) {
                        changed |= g[i] != base[i];
                    }
                    assertThat(changed).as(p.name() + " accumulated the second pass").isTrue();
                }
            }
            act.close();
        }
    }

    @Test
    void backwardNeedsATrainingWorkspace() {
        try (BertModel model = BertModelTest.randomModel(TINY, 16); BertActivations act = model.newActivations(false)) {
            Problem pb = problem(new int[][] {{1, 1, 1}}, 17);
            model.forward(pb.input(), act);
            assertThatThrownBy(() -> model.backward(act, null, null)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("training workspace");
            assertThatThrownBy(() -> model.forward(pb.input(), act, new Rng(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("training workspace");
        }
    }
}
