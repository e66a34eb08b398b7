package dev.bertj.core.head;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.Linear;
import dev.bertj.core.train.EpochDataSource;
import dev.bertj.core.train.StepResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a frozen encoder, a head that reads only the pooled output is trained on pooled vectors computed once per
 * example: over shuffled epochs of mixed-length batches, every step's loss and head gradient equal those of the
 * uncached path, and the encoder's work is done once per example.
 */
class FrozenEncoderCacheTest {

    static final BertConfig CONFIG = new BertConfig(40, 16, 2, 2, 32, "gelu", 0.0, 0.0, 16, 2, 1e-12, 0.02, 0,
            Map.of());

    record Example(int[] ids, int label) {
    }

    /** Pooled output -> linear -> 2-way softmax cross-entropy; claims to need the sequence output or not. */
    static final class PooledHead implements TaskHead<Object, Object, Example> {
        final Linear out;
        final boolean claimsSequence;

        PooledHead(boolean claimsSequence) {
            this.out = Linear.create("probe", CONFIG.hiddenSize(), 2, true, 0.5, new Rng(11));
            this.claimsSequence = claimsSequence;
        }

        public HeadDescriptor descriptor() {
            return new HeadDescriptor("probe", "1", "test", Object.class, Object.class);
        }

        public List<Parameter> parameters() {
            return out.parameters();
        }

        public ObjectNode config() {
            throw new UnsupportedOperationException();
        }

        public Object predict(Object request) {
            throw new UnsupportedOperationException();
        }

        public List<Example> readExamples(Path file, Map<String, String> options) {
            throw new UnsupportedOperationException();
        }

        public HeadBatch<Example> encode(List<Example> examples, int maxLength) {
            int len = examples.stream().mapToInt(e -> e.ids().length).max().orElse(0);
            int[][] ids = new int[examples.size()][len];
            int[][] types = new int[examples.size()][len];
            int[][] mask = new int[examples.size()][len];
            int[] labels = new int[examples.size()];
            for (int i = 0; i < examples.size(); i++) {
                int[] e = examples.get(i).ids();
                System.arraycopy(e, 0, ids[i], 0, e.length);
                java.util.Arrays.fill(mask[i], 0, e.length, 1);
                labels[i] = examples.get(i).label();
            }
            return new HeadBatch<>(new EncoderBatch(ids, types, mask), examples, labels);
        }

        public boolean usesSequenceOutput() {
            return claimsSequence;
        }

        public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<Example> batch) {
            Var features = encoder.pooledOutput();
            if (claimsSequence) {
                // The mean of each example's real token rows: padded rows must not matter.
                int[][] mask = batch.input().attentionMask();
                int n = mask.length;
                int len = batch.input().seqLen();
                float[] weights = new float[n * n * len];
                for (int b = 0; b < n; b++) {
                    int real = java.util.Arrays.stream(mask[b]).sum();
                    for (int t = 0; t < len; t++) {
                        weights[b * n * len + b * len + t] = mask[b][t] / (float) real;
                    }
                }
                features = tape.matmul(tape.constant(org.nd4j.linalg.factory.Nd4j.create(weights, new long[] {n, (long) n * len}, 'c')),
                        encoder.sequenceOutput(), false, false);
            }
            Var logits = out.forward(tape, features);
            return new HeadLoss(tape.softmaxCrossEntropy(logits, (int[]) batch.targets(), null, 0), Map.of());
        }

        public Map<String, Double> evaluate(List<Example> examples) {
            throw new UnsupportedOperationException();
        }
    }

    /** The loss and head gradients straight from the encoder, nothing cached. */
    static double reference(BertModel model, PooledHead head, HeadBatch<Example> batch) {
        head.parameters().forEach(p -> p.grad().assign(0));
        dev.bertj.core.model.EncoderOutput out = model.forward(batch.input().toEncoderInput());
        int h = out.hiddenSize();
        int n = out.batch();
        float[] pooled = new float[n * h];
        for (int b = 0; b < n; b++) {
            System.arraycopy(out.pooled(b), 0, pooled, b * h, h);
        }
        Tape tape = Tape.training();
        Var sequence = tape.constant(org.nd4j.linalg.factory.Nd4j.create(out.lastHiddenState(), new long[] {(long) n * out.seqLen(), h}, 'c'));
        Var pooledVar = tape.constant(org.nd4j.linalg.factory.Nd4j.create(pooled, new long[] {n, h}, 'c'));
        HeadLoss loss = head.loss(tape, new EncoderVars(batch.input(), sequence, pooledVar), batch);
        tape.backward(loss.loss());
        return loss.loss().value().getDouble(0);
    }

    @Test
    void cachedOutputsGiveTheUncachedLossesAndGradientsOverShuffledEpochs() {
        Rng rng = new Rng(5);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            int[] ids = new int[3 + rng.nextInt(10)];
            ids[0] = 2;
            for (int t = 1; t < ids.length; t++) {
                ids[t] = 5 + rng.nextInt(35);
            }
            examples.add(new Example(ids, rng.nextInt(2)));
        }
        try (BertModel model = BertModel.initialize(CONFIG, 3)) {
            for (boolean readsSequence : new boolean[] {false, true}) {
                PooledHead cachedHead = new PooledHead(readsSequence);
                PooledHead referenceHead = new PooledHead(readsSequence);
                HeadTrainingTask<Example> cached = new HeadTrainingTask<>(model, cachedHead, true, 1);
                EpochDataSource<Example, HeadBatch<Example>> data = new EpochDataSource<>(examples, 5, 9, true,
                        b -> cachedHead.encode(b, 16));
                for (int step = 0; step < 3 * data.batchesPerEpoch(); step++) {
                    HeadBatch<Example> batch = data.next();
                    cachedHead.parameters().forEach(p -> p.grad().assign(0));
                    StepResult a = cached.trainStep(batch, 1f);
                    double b = reference(model, referenceHead, batch);
                    assertThat(a.loss()).as("step %d", step).isCloseTo(b, org.assertj.core.data.Offset.offset(1e-6));
                    for (int p = 0; p < 2; p++) {
                        float[] ga = cachedHead.parameters().get(p).grad().reshape(-1).toFloatVector();
                        float[] gb = referenceHead.parameters().get(p).grad().reshape(-1).toFloatVector();
                        for (int k = 0; k < ga.length; k++) {
                            assertThat(ga[k]).as("step %d", step).isCloseTo(gb[k], org.assertj.core.data.Offset.offset(1e-6f));
                        }
                    }
                }
                assertThat(cached.cachedExamples()).as("reads sequence: %s", readsSequence).isEqualTo(examples.size());
            }
        }
    }
}
