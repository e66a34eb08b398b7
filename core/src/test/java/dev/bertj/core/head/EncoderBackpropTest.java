package dev.bertj.core.head;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.model.BertActivations;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.train.StepResult;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fine-tuning through the encoder: a head's loss on the tape meets the encoder's backward pass. A head whose loss
 * is {@code sum c . sequence + sum d . pooled} must leave exactly the encoder gradients that
 * {@link BertModel#backward} gives for {@code (c, d)} directly, scaled by the loss scale.
 */
class EncoderBackpropTest {

    static final BertConfig CONFIG = new BertConfig(40, 16, 2, 2, 32, "gelu", 0.1, 0.1, 16, 2, 1e-12, 0.02, 0,
            Map.of());

    /** A head with a fixed linear loss on the encoder's outputs. */
    record LinearLossHead(INDArray c, INDArray d) implements TaskHead<Object, Object, Object> {
        public HeadDescriptor descriptor() {
            return new HeadDescriptor("linear-loss", "1", "test", Object.class, Object.class);
        }

        public List<Parameter> parameters() {
            return List.of();
        }

        public ObjectNode config() {
            throw new UnsupportedOperationException();
        }

        public Object predict(Object request) {
            throw new UnsupportedOperationException();
        }

        public List<Object> readExamples(Path file, Map<String, String> options) {
            throw new UnsupportedOperationException();
        }

        public HeadBatch<Object> encode(List<Object> examples, int maxLength) {
            throw new UnsupportedOperationException();
        }

        public HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<Object> batch) {
            Var seq = tape.reshape(encoder.sequenceOutput(), 1, c.length());
            Var pooled = tape.reshape(encoder.pooledOutput(), 1, d.length());
            Var loss = tape.add(tape.matmul(seq, tape.constant(c), false, false),
                    tape.matmul(pooled, tape.constant(d), false, false));
            return new HeadLoss(tape.reshape(loss, 1), Map.of("dummy", 1.0));
        }

        public Map<String, Double> evaluate(List<Object> examples) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void theTapesGradientsFlowIntoTheEncodersBackward() {
        try (BertModel model = BertModel.initialize(CONFIG, 3)) {
            int[][] ids = {{2, 5, 9, 11, 3, 0}, {2, 7, 3, 0, 0, 0}};
            int[][] types = {{0, 0, 0, 1, 1, 0}, {0, 0, 1, 0, 0, 0}};
            int[][] mask = {{1, 1, 1, 1, 1, 0}, {1, 1, 1, 0, 0, 0}};
            EncoderBatch input = new EncoderBatch(ids, types, mask);
            int h = CONFIG.hiddenSize();
            Rng values = new Rng(4);
            float[] c = new float[12 * h];
            for (int i = 0; i < c.length; i++) {
                c[i] = mask[i / h / 6][i / h % 6] == 1 ? (float) values.nextGaussian() : 0f;
            }
            float[] d = new float[2 * h];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) values.nextGaussian();
            }
            LinearLossHead head = new LinearLossHead(Nd4j.create(c, new long[] {c.length, 1}, 'c'),
                    Nd4j.create(d, new long[] {d.length, 1}, 'c'));

            StepResult r = EncoderBackprop.step(model, head, new HeadBatch<>(input, List.of(), null), 0.5f, new Rng(9));
            assertThat(r.tokens()).isEqualTo(8);
            assertThat(r.metrics()).containsEntry("dummy", 1.0);
            Map<String, float[]> viaTape = new HashMap<>();
            for (Parameter p : model.parameters()) {
                if (p.hasGrad()) {
                    viaTape.put(p.name(), p.grad().dup().data().asFloat());
                    p.grad().assign(0);
                }
            }
            assertThat(viaTape).containsKeys("embeddings.word_embeddings.weight", "pooler.dense.weight",
                    "encoder.layer.1.output.LayerNorm.weight");

            // Directly: the same dropout seed, half the coefficients (the loss scale).
            try (BertActivations act = model.newActivations(true)) {
                model.forward(input.toEncoderInput(), act, new Rng(9));
                Floats dc = Floats.allocate(c.length);
                Floats dd = Floats.allocate(d.length);
                for (int i = 0; i < c.length; i++) {
                    dc.set(i, 0.5f * c[i]);
                }
                for (int i = 0; i < d.length; i++) {
                    dd.set(i, 0.5f * d[i]);
                }
                model.backward(act, dc, dd);
            }
            for (var e : viaTape.entrySet()) {
                float[] direct = model.parameter(e.getKey()).grad().dup().data().asFloat();
                assertThat(e.getValue()).as(e.getKey()).containsExactly(direct,
                        org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }
}
