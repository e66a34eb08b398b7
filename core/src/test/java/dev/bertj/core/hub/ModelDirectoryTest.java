package dev.bertj.core.hub;

import dev.bertj.core.io.BertTensorNames;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.DerivedTensorStore;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.SafetensorsImporter;
import dev.bertj.core.io.SafetensorsWriter;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.model.BertConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The native layout on a tiny random BERT: writing, validating, reading back, and every way it can be broken. */
class ModelDirectoryTest {

    static final BertConfig TINY = BertConfig.of(12, 8, 2, 2, 16);

    @TempDir
    Path tmp;

    static ImportedModel tinyModel(boolean withHeads) {
        DerivedTensorStore store = new DerivedTensorStore("tiny", null);
        Random r = new Random(42);
        List<TensorInfo> all = new ArrayList<>(BertTensorNames.encoder(TINY));
        if (withHeads) {
            all.addAll(BertTensorNames.pooler(TINY));
            all.addAll(BertTensorNames.mlmHead(TINY));
        }
        for (TensorInfo t : all) {
            float[] v = new float[(int) t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            store.put(t.name(), t.shape(), dst -> dst.put(v));
        }
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int i = vocab.size(); i < 12; i++) {
            vocab.add("tok" + i);
        }
        return new ImportedModel(TINY, store, vocab, true);
    }

    private Path writeTiny(String name, boolean heads) {
        return ModelConverter.writeAtomically(tinyModel(heads), tmp.resolve(name), DType.F32);
    }

    @Test
    void writesHuggingFaceLayoutAndReadsItBackExactly() throws IOException {
        Path dir = writeTiny("tiny", true);
        assertThat(dir.resolve("config.json")).exists();
        assertThat(Files.readAllLines(dir.resolve("vocab.txt"))).hasSize(12).startsWith("[PAD]", "[UNK]");
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"BertForPreTraining\"");
        assertThat(Files.readString(dir.resolve("tokenizer_config.json"))).contains("\"do_lower_case\" : true");
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            // BertForPreTraining's names: bert.-prefixed encoder, cls.* heads.
            assertThat(st.names()).contains("bert.embeddings.word_embeddings.weight",
                    "bert.encoder.layer.1.output.LayerNorm.weight", "bert.pooler.dense.weight", "cls.predictions.bias");
            assertThat(st.names()).noneMatch(n -> n.startsWith("embeddings."));
        }
        ModelDirectory d = ModelDirectory.open(dir);
        assertThat(d.config()).isEqualTo(d.config());
        assertThat(d.config().hiddenSize()).isEqualTo(8);
        assertThat(d.hasPooler()).isTrue();
        assertThat(d.hasMlmHead()).isTrue();
        assertThat(d.hasNspHead()).isFalse();
        try (ImportedModel original = tinyModel(true); ImportedModel back = SafetensorsImporter.open(dir)) {
            assertThat(back.tensors().names()).containsExactlyInAnyOrderElementsOf(original.tensors().names());
            for (String n : original.tensors().names()) {
                assertThat(back.tensors().readFloats(n)).as(n).isEqualTo(original.tensors().readFloats(n));
            }
            assertThat(back.vocab()).isEqualTo(original.vocab());
        }
    }

    @Test
    void acceptsUnprefixedAndGammaBetaNames() throws IOException {
        Path dir = writeTiny("legacy", false);
        // Rewrite with BertModel names and the old LayerNorm gamma/beta spelling.
        SafetensorsWriter w = new SafetensorsWriter(DType.F32);
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (String n : st.names()) {
                String legacy = n.substring("bert.".length()).replace("LayerNorm.weight", "LayerNorm.gamma")
                        .replace("LayerNorm.bias", "LayerNorm.beta");
                float[] v = st.readFloats(n);
                w.add(legacy, st.info(n).shape(), v);
            }
        }
        w.write(dir.resolve("model.safetensors"));
        ModelDirectory d = ModelDirectory.open(dir);
        try (var t = d.openTensors()) {
            assertThat(t.names()).contains("embeddings.LayerNorm.weight", "encoder.layer.0.output.LayerNorm.bias");
        }
    }

    @Test
    void everyBrokenPartIsNamed() throws IOException {
        Path noConfig = writeTiny("noconfig", false);
        Files.delete(noConfig.resolve("config.json"));
        assertThatThrownBy(() -> ModelDirectory.open(noConfig)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(noConfig.resolve("config.json").toString());

        Path badConfig = writeTiny("badconfig", false);
        Files.writeString(badConfig.resolve("config.json"), "{\"hidden_size\": 8}");
        assertThatThrownBy(() -> ModelDirectory.open(badConfig)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json").hasMessageContaining("vocab_size");

        Path noVocab = writeTiny("novocab", false);
        Files.delete(noVocab.resolve("vocab.txt"));
        assertThatThrownBy(() -> ModelDirectory.open(noVocab)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("vocab");

        Path noWeights = writeTiny("noweights", false);
        Files.delete(noWeights.resolve("model.safetensors"));
        assertThatThrownBy(() -> ModelDirectory.open(noWeights)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors");

        Path missing = writeTiny("missing", false);
        rewriteWithout(missing, "bert.encoder.layer.1.attention.self.key.weight", null);
        assertThatThrownBy(() -> ModelDirectory.open(missing)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(missing.resolve("model.safetensors").toString())
                .hasMessageContaining("encoder.layer.1.attention.self.key.weight");

        Path wrongShape = writeTiny("shape", false);
        rewriteWithout(wrongShape, "bert.encoder.layer.0.intermediate.dense.weight", new long[] {8, 16});
        assertThatThrownBy(() -> ModelDirectory.open(wrongShape)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("encoder.layer.0.intermediate.dense.weight").hasMessageContaining("[16, 8]");

        Path halfHead = writeTiny("halfhead", true);
        rewriteWithout(halfHead, "cls.predictions.transform.dense.bias", null);
        assertThatThrownBy(() -> ModelDirectory.open(halfHead)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cls.predictions.transform.dense.bias");

        Path truncated = writeTiny("truncated", false);
        byte[] b = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), java.util.Arrays.copyOf(b, b.length - 100));
        assertThatThrownBy(() -> ModelDirectory.open(truncated)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("truncated");

        assertThatThrownBy(() -> ModelConverter.writeAtomically(tinyModel(false), missing, DType.F32))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("not empty");
    }

    /** Rewrites the weights without {@code name}, or with it reshaped to {@code shape} (same element count). */
    private static void rewriteWithout(Path dir, String name, long[] shape) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter(DType.F32);
        try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (String n : st.names()) {
                if (!n.equals(name)) {
                    w.add(n, st.info(n).shape(), st.readFloats(n));
                } else if (shape != null) {
                    w.add(n, shape, st.readFloats(n));
                }
            }
        }
        w.write(dir.resolve("model.safetensors"));
    }

    @Test
    void f16AndBf16DirectoriesLoadWithinRounding() throws IOException {
        for (DType dt : List.of(DType.F16, DType.BF16)) {
            Path dir = ModelConverter.writeAtomically(tinyModel(false), tmp.resolve("t-" + dt), dt);
            ModelDirectory d = ModelDirectory.open(dir);
            try (var t = d.openTensors(); ImportedModel original = tinyModel(false)) {
                float[] a = original.tensors().readFloats("encoder.layer.0.attention.self.query.weight");
                float[] b = t.readFloats("encoder.layer.0.attention.self.query.weight");
                double rel = dt == DType.F16 ? 0x1p-11 : 0x1p-8;
                for (int i = 0; i < a.length; i++) {
                    assertThat((double) Math.abs(a[i] - b[i])).isLessThanOrEqualTo(Math.abs(a[i]) * rel + 1e-7);
                }
            }
            assertThat(Files.readString(dir.resolve("config.json"))).contains(dt == DType.F16 ? "float16" : "bfloat16");
        }
    }
}
