package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointManagerTest {

    private static Parameter param(String name, float... values) {
        return new Parameter(name, Nd4j.createFromArray(values), true);
    }

    private static ObjectNode state(String note) {
        return JsonNodeFactory.instance.objectNode().put("note", note);
    }

    /** Two parameters and an optimizer that has taken one step, so that it has moments. */
    private static final class Model {
        final Parameter w = param("layer.weight", 1f, 2f, 3f);
        final Parameter b = new Parameter("layer.bias", Nd4j.createFromArray(0.5f), false);
        final AdamW adam = new AdamW(List.of(w, b), AdamW.Options.bert(0.01));

        Model() {
            w.grad().assign(0.1f);
            b.grad().assign(-0.2f);
            adam.step(0.01);
        }

        ModelLayout files() {
            return ModelLayout.of(List.of(w, b)).withExtras(dir -> Files.writeString(dir.resolve("config.json"), "{}"));
        }
    }

    private static List<String> hidden(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp") || n.startsWith(".trash")).toList();
        }
    }

    @Test
    void savesTheNativeLayoutAndKeepsTheLastK(@TempDir Path root) throws IOException {
        Model model = new Model();
        try (CheckpointManager m = new CheckpointManager(root, 2)) {
            for (long step = 10; step <= 40; step += 10) {
                m.save(step, model.files(), model.adam, state("at " + step));
            }
            assertThat(m.list()).extracting(CheckpointManager.Checkpoint::step).containsExactly(30L, 40L);
            assertThat(m.latest().orElseThrow().step()).isEqualTo(40);
        }
        assertThat(Files.readString(root.resolve("latest")).trim()).isEqualTo("checkpoint-40");
        assertThat(root.resolve("checkpoint-10")).doesNotExist();
        Path dir = root.resolve("checkpoint-40");
        assertThat(dir.resolve("config.json")).hasContent("{}");
        try (SafetensorsFile model40 = SafetensorsFile.open(dir.resolve("model.safetensors"));
             SafetensorsFile opt = SafetensorsFile.open(dir.resolve("optimizer.safetensors"))) {
            assertThat(model40.names()).containsExactlyInAnyOrder("layer.weight", "layer.bias");
            assertThat(model40.readFloats("layer.weight")).containsExactly(model.w.value().toFloatVector());
            assertThat(opt.names()).containsExactlyInAnyOrder("layer.weight.exp_avg", "layer.weight.exp_avg_sq",
                    "layer.bias.exp_avg", "layer.bias.exp_avg_sq");
            assertThat(opt.readFloats("layer.bias.exp_avg")).containsExactly(0.1f * -0.2f);
        }
        ObjectNode saved = CheckpointManager.verify(new CheckpointManager.Checkpoint(40, dir));
        assertThat(saved.path("note").asText()).isEqualTo("at 40");
        assertThat(saved.path("step").asLong()).isEqualTo(40);
        assertThat(saved.path("files").path("model.safetensors").asLong()).isEqualTo(Files.size(dir.resolve("model.safetensors")));
        assertThat(hidden(root)).isEmpty();
    }

    @Test
    void loadsParametersAndMomentsBack(@TempDir Path root) {
        Model original = new Model();
        try (CheckpointManager m = new CheckpointManager(root, 2)) {
            m.save(1, original.files(), original.adam, state("x"));
        }
        Model other = new Model();
        other.w.value().assign(Nd4j.createFromArray(9f, 9f, 9f));
        CheckpointManager.Checkpoint c = CheckpointManager.latestIn(root).orElseThrow();
        CheckpointManager.load(c, other.files(), other.adam);
        assertThat(other.w.value().toFloatVector()).containsExactly(original.w.value().toFloatVector());
        assertThat(other.adam.stateTensors().get("layer.weight.exp_avg_sq").toFloatVector())
                .containsExactly(original.adam.stateTensors().get("layer.weight.exp_avg_sq").toFloatVector());

        Parameter renamed = param("other.weight", 1f, 2f, 3f);
        assertThatThrownBy(() -> CheckpointManager.load(c, ModelLayout.of(List.of(renamed)), null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("no tensor other.weight");
        assertThatThrownBy(() -> CheckpointManager.load(c, ModelLayout.of(List.of(original.w)), null))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("layer.bias");
    }

    @Test
    void leftoversOfInterruptedWritesAreNeverCheckpointsAndAreCleanedUp(@TempDir Path root) throws IOException {
        Model model = new Model();
        try (CheckpointManager m = new CheckpointManager(root, 3)) {
            m.save(5, model.files(), model.adam, state("x"));
        }
        // What a kill leaves: a temp dir with some files, a trash dir, a named dir without its state, a truncated file.
        Files.createDirectories(root.resolve(".tmp-checkpoint-6"));
        Files.writeString(root.resolve(".tmp-checkpoint-6/model.safetensors"), "partial");
        Files.createDirectories(root.resolve(".trash-checkpoint-1-123"));
        Files.createDirectories(root.resolve("checkpoint-7"));
        Files.writeString(root.resolve("checkpoint-7/model.safetensors"), "no state file");
        Path copy = root.resolve("checkpoint-8");
        Files.createDirectories(copy);
        for (String f : new String[] {"model.safetensors", "optimizer.safetensors", "config.json", "trainer_state.json"}) {
            Files.copy(root.resolve("checkpoint-5").resolve(f), copy.resolve(f));
        }
        Files.writeString(copy.resolve("trainer_state.json"),
                Files.readString(copy.resolve("trainer_state.json")).replace("\"step\" : 5", "\"step\" : 8"));
        byte[] truncated = Files.readAllBytes(copy.resolve("model.safetensors"));
        Files.write(copy.resolve("model.safetensors"), java.util.Arrays.copyOf(truncated, truncated.length - 4));

        assertThat(CheckpointManager.latestIn(root).orElseThrow().step()).isEqualTo(5);
        try (CheckpointManager m = new CheckpointManager(root, 3)) {
            assertThat(hidden(root)).isEmpty();
            assertThat(m.list()).extracting(CheckpointManager.Checkpoint::step).containsExactly(5L);
        }
        assertThatThrownBy(() -> CheckpointManager.verify(new CheckpointManager.Checkpoint(8, copy)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("model.safetensors");
    }

    /** A full disk in the middle of a checkpoint (simulated below the safetensors writer): a clean, clear failure. */
    @Test
    void aFullDiskFailsCleanlyAndLeavesThePreviousCheckpointIntact(@TempDir Path root) throws IOException {
        Model model = new Model();
        float[] savedWeights = model.w.value().toFloatVector();
        try (CheckpointManager m = new CheckpointManager(root, 3)) {
            m.save(1, model.files(), model.adam, state("first"));
            for (String failingFile : new String[] {"optimizer.safetensors", "trainer_state.json", "model.safetensors"}) {
                AtomicLong writes = new AtomicLong();
                m.setWriteHook((file, bytes) -> {
                    writes.incrementAndGet();
                    if (file.getFileName().toString().equals(failingFile)) {
                        throw new IOException("No space left on device");
                    }
                });
                model.w.value().addi(1f);
                assertThatThrownBy(() -> m.save(2, model.files(), model.adam, state("second")))
                        .isInstanceOf(CheckpointException.class)
                        .hasMessageContaining("could not write checkpoint-2")
                        .hasMessageContaining("No space left on device")
                        .hasMessageContaining("checkpoint-1, is intact");
                assertThat(writes.get()).isPositive();
                assertThat(hidden(root)).isEmpty();
                assertThat(root.resolve("checkpoint-2")).doesNotExist();
                assertThat(m.list()).extracting(CheckpointManager.Checkpoint::step).containsExactly(1L);
                assertThat(Files.readString(root.resolve("latest")).trim()).isEqualTo("checkpoint-1");
            }
            m.setWriteHook((file, bytes) -> { });
        }
        CheckpointManager.Checkpoint first = CheckpointManager.latestIn(root).orElseThrow();
        assertThat(CheckpointManager.verify(first).path("note").asText()).isEqualTo("first");
        Model reloaded = new Model();
        CheckpointManager.load(first, reloaded.files(), reloaded.adam);
        assertThat(reloaded.w.value().toFloatVector()).containsExactly(savedWeights);
    }

    @Test
    void aDirectoryServesOneRunAtATime(@TempDir Path root) {
        try (CheckpointManager m = new CheckpointManager(root, 1)) {
            assertThatThrownBy(() -> new CheckpointManager(root, 1))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("in use by another training run");
        }
        new CheckpointManager(root, 1).close(); // released
    }

    @Test
    void refusesBadModelFileLayouts() {
        Parameter p = param("a.weight", 1f);
        assertThatThrownBy(() -> ModelLayout.of(List.of(p)).withFile("../x.safetensors", List.of(p)))
                .hasMessageContaining("relative path");
        assertThatThrownBy(() -> ModelLayout.of(List.of(p)).withFile("optimizer.safetensors", List.of(p)))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> ModelLayout.of(List.of(p, param("a.weight", 2f))))
                .hasMessageContaining("a.weight");
        assertThat(ModelLayout.of(List.of(p, p)).tensorFiles().get("model.safetensors")).hasSize(1);
    }
}
