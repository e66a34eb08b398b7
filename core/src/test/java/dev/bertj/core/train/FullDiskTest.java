package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bertj.core.io.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: checkpoints go to a 4 MB tmpfs, so the kernel itself answers ENOSPC in the middle of a
 * checkpoint. Mounting needs root (CI and the development machines run as root); elsewhere this class is skipped
 * and {@link CheckpointManagerTest#aFullDiskFailsCleanlyAndLeavesThePreviousCheckpointIntact} covers the same
 * path with a simulated failure.
 */
class FullDiskTest {

    private static final int FEATURES = 128;
    private static final int CLASSES = 128;

    @TempDir
    Path tmp;
    private Path disk;
    private boolean mounted;

    @BeforeEach
    void mountTinyDisk() throws Exception {
        disk = tmp.resolve("disk");
        Files.createDirectories(disk);
        mounted = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString());
        Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (needs root)");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            // Memory-mapped safetensors readers keep the file system busy until their buffers are collected.
            System.gc();
            if (!run("umount", disk.toString())) {
                run("umount", "-l", disk.toString());
            }
        }
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void aFullDiskDuringACheckpointFailsTheRunCleanly() throws IOException {
        List<ToyClassifier.Example> data = ToyClassifier.data(64, FEATURES, CLASSES, 5);
        ToyClassifier task = new ToyClassifier(FEATURES, CLASSES, 0.1f, 5);
        AdamW adam = new AdamW(task.parameters(), AdamW.Options.bert(0.01));
        // 64 KB of weights, 128 KB of moments and a 2.5 MB vocabulary per checkpoint: the second one does not fit,
        // but passes the free-space estimate (which counts tensors only), so the kernel's ENOSPC is what stops it.
        String vocab = "token\n".repeat(2_500_000 / 6);
        ModelLayout files = ModelLayout.of(task.parameters())
                .withExtras(dir -> Files.writeString(dir.resolve("vocab.txt"), vocab));
        List<TrainingResult> finished = new ArrayList<>();
        try (CheckpointManager m = new CheckpointManager(disk, 3)) {
            Trainer<ToyClassifier.Batch> trainer = new Trainer<>(task, ToyClassifier.source(data, 8, 5), adam,
                    LearningRateSchedule.constant(0.01), TrainerOptions.builder(10).checkpointEvery(1).build())
                    .progress(null, null).reportTo(tmp.resolve("reports")).checkpoints(m, files)
                    .listener(new TrainingListener() {
                        @Override
                        public void onFinish(TrainingResult result) {
                            finished.add(result);
                        }
                    });
            assertThatThrownBy(trainer::run).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("could not write checkpoint-2")
                    .hasMessageContaining("No space left on device")
                    .hasMessageContaining("checkpoint-1, is intact");
            assertThat(finished).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(TrainingResult.Status.FAILED);
                assertThat(r.step()).isEqualTo(2);
                assertThat(r.lastCheckpoint().getFileName().toString()).isEqualTo("checkpoint-1");
                assertThat(r.failure()).contains("No space left on device");
            });
            assertThat(m.list()).extracting(CheckpointManager.Checkpoint::step).containsExactly(1L);

            // With the disk fuller still, the free-space check refuses before writing anything.
            Path filler = disk.resolve("filler");
            long free = Files.getFileStore(disk).getUsableSpace();
            Files.write(filler, new byte[(int) Math.max(0, free - 300_000)]);
            assertThatThrownBy(() -> m.save(3, files, adam, JsonNodeFactory.instance.objectNode()))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("not enough disk space: checkpoint-3 needs about")
                    .hasMessageContaining("checkpoint-1, is intact");
            Files.delete(filler);
        }
        try (Stream<Path> entries = Files.list(disk)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("checkpoint-1", "latest", ".lock");
        }
        CheckpointManager.Checkpoint first = CheckpointManager.latestIn(disk).orElseThrow();
        assertThat(CheckpointManager.verify(first).path("step").asLong()).isEqualTo(1);
        assertThat(Files.size(first.file("vocab.txt"))).isEqualTo(vocab.length());
        ToyClassifier reloaded = new ToyClassifier(FEATURES, CLASSES, 0.1f, 99);
        CheckpointManager.load(first, ModelLayout.of(reloaded.parameters()), new AdamW(reloaded.parameters(), AdamW.Options.bert(0.01)));
    }
}
