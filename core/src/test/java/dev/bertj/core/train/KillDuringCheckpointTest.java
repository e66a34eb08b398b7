package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.nn.Rng;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash test of the checkpoint format: a child JVM trains with a checkpoint every few steps (so that most of
 * its time is spent writing checkpoints) and is killed with SIGKILL at random moments, several times. After each
 * kill every directory named like a checkpoint must be complete and loadable, and whatever the kill left behind
 * must not be taken for a checkpoint. Finally the run is completed by resuming, and its loss curve must equal that
 * of an uninterrupted run.
 */
class KillDuringCheckpointTest {

    private static final long TOTAL = 120;
    private static final long EVERY = 2;
    private static final int KILLS = 6;
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-\\d+");

    @Test
    void killMinus9AtRandomMomentsNeverLeavesAHalfWrittenCheckpoint(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("run");
        Rng timing = new Rng(2024);
        int leftoversSeen = 0;
        long lastStart = -1;
        for (int kill = 0; kill < KILLS; kill++) {
            // Even rounds aim at the inside of a checkpoint write (right after the child announces the k-th file or
            // tensor it writes); odd rounds kill at a random time, which also hits renames, pointer and pruning.
            boolean aimed = kill % 2 == 0;
            Process child = start(root, tmp.resolve("child-" + kill + ".log"), aimed);
            java.util.concurrent.BlockingQueue<String> lines = lines(child);
            String first = lines.poll(180, TimeUnit.SECONDS);
            assertThat(first).as("child %d's first line (its stderr is in %s)", kill, tmp).startsWith("started ");
            long started = Long.parseLong(first.substring("started ".length()));
            assertThat(started).as("each restart resumes at or after the previous one").isGreaterThanOrEqualTo(lastStart);
            lastStart = started;
            if (aimed) {
                int writes = 1 + timing.nextInt(20);
                for (int w = 0; w < writes; w++) {
                    String line = lines.poll(120, TimeUnit.SECONDS);
                    assertThat(line).as("child %d announces its writes", kill).isNotNull().startsWith("writing ");
                }
                Thread.sleep(timing.nextInt(3));
            } else {
                Thread.sleep(100 + timing.nextInt(600));
            }
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no finally blocks
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            try (Stream<Path> entries = Files.list(root)) {
                for (Path p : entries.toList()) {
                    String name = p.getFileName().toString();
                    if (CHECKPOINT.matcher(name).matches()) {
                        ObjectNode state = CheckpointManager.verify(
                                new CheckpointManager.Checkpoint(Long.parseLong(name.substring(11)), p));
                        assertThat(state.path("step").asLong() % EVERY).isZero();
                    } else if (name.startsWith(".tmp") || name.startsWith(".trash") || name.startsWith(".latest")) {
                        leftoversSeen++;
                    }
                }
            }
            List<CheckpointManager.Checkpoint> listed = listWithoutLocking(root);
            if (Files.exists(root.resolve("latest"))) {
                String latest = Files.readString(root.resolve("latest")).trim();
                assertThat(listed).extracting(c -> c.directory().getFileName().toString()).contains(latest);
            }
        }
        System.out.println("kill test: " + KILLS + " kills, " + leftoversSeen
                + " left a temporary file or directory behind (killed mid-write)");

        Process last = start(root, tmp.resolve("child-final.log"), false);
        lines(last);
        assertThat(last.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).as("final run, see %s", tmp.resolve("child-final.log")).isZero();
        try (Stream<Path> entries = Files.list(root)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(".tmp") || n.startsWith(".trash"));
        }

        // The uninterrupted reference run, in this JVM.
        Path reference = tmp.resolve("reference");
        ToyClassifier task = new ToyClassifier(ToyTrainingMain.FEATURES, ToyTrainingMain.CLASSES, 0.1f, ToyTrainingMain.SEED);
        try (CheckpointManager m = new CheckpointManager(reference, 1)) {
            ToyTrainingMain.trainer(task, TOTAL, TOTAL).checkpoints(m).run();
        }
        assertThat(losses(root.resolve("metrics.jsonl"))).hasSize((int) TOTAL)
                .containsExactlyElementsOf(losses(reference.resolve("metrics.jsonl")));
        ToyClassifier resumed = new ToyClassifier(ToyTrainingMain.FEATURES, ToyTrainingMain.CLASSES, 0.1f, 0);
        CheckpointManager.load(CheckpointManager.latestIn(root).orElseThrow(), ModelLayout.of(resumed.parameters()), null);
        assertThat(resumed.weight.value()).isEqualTo(task.weight.value());
        assertThat(resumed.bias.value()).isEqualTo(task.bias.value());
    }

    /** The child's output lines as they come (a daemon thread reads them). */
    private static java.util.concurrent.BlockingQueue<String> lines(Process child) {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child was killed
            }
            lines.add("<end of output>");
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static List<CheckpointManager.Checkpoint> listWithoutLocking(Path root) {
        List<CheckpointManager.Checkpoint> out = new ArrayList<>();
        CheckpointManager.latestIn(root).ifPresent(out::add);
        // latestIn() only returns the newest; the pointer may lag one behind it after a kill, so look at all.
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (CHECKPOINT.matcher(name).matches()) {
                    out.add(new CheckpointManager.Checkpoint(Long.parseLong(name.substring(11)), p));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static List<Double> losses(Path jsonl) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            ObjectNode e = MetricsLog.parse(line);
            if (e.path("split").asText().equals("train")) {
                assertThat(e.path("step").asLong()).isEqualTo(out.size() + 1);
                out.add(e.path("loss").asDouble());
            }
        }
        return out;
    }

    private static Process start(Path root, Path log, boolean announceWrites) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", classpath, ToyTrainingMain.class.getName(),
                root.toString(), Long.toString(TOTAL), Long.toString(EVERY), "3", announceWrites ? "--announce-writes" : "-");
        pb.redirectError(log.toFile());
        return pb.start();
    }
}
