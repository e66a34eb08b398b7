package dev.bertj.core.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.train.CheckpointManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Acceptance 4 for the real pre-training task: a child JVM doing {@code ./bert pretrain --resume}'s work (tiny
 * config, MLM + NSP with dropout, a checkpoint every 3 steps) is killed with SIGKILL at random moments, then
 * restarted each time. After every kill, every directory named like a checkpoint is complete; in the end the loss
 * curve (every step) and the final weights equal those of an uninterrupted run, because the data position, the
 * dropout generator and the optimizer all resume exactly.
 */
class PretrainingKillTest {

    private static final long STEPS = 36;
    private static final long EVERY = 3;
    private static final int KILLS = 3;
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-\\d+");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killMinus9ThenResumeContinuesTheSameLossCurve(@TempDir Path tmp) throws Exception {
        Path corpus = Path.of(getClass().getResource("data/austen-pride-and-prejudice-excerpt.txt").toURI());
        Path config = tmp.resolve("config.json");
        new BertConfig(300, 32, 2, 2, 64, "gelu", 0.1, 0.1, 64, 2, 1e-12, 0.02, 0, Map.of()).write(config);
        Path out = tmp.resolve("run");
        Rng timing = new Rng(7);
        long lastStart = -1;
        int killed = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Process child = start(corpus, config, out, tmp.resolve("child-" + kill + ".log"));
            BlockingQueue<String> lines = lines(child);
            String first = lines.poll(120, TimeUnit.SECONDS);
            assertThat(first).as("child %d's first line (its log is in %s)", kill, tmp).isNotNull().startsWith("started ");
            long started = Long.parseLong(first.substring("started ".length()));
            assertThat(started).as("each restart resumes at or after the previous one").isGreaterThanOrEqualTo(lastStart);
            lastStart = started;
            // Kill a random number of steps after the restart (always before the last step), then a random few
            // milliseconds later, so that some kills land inside a checkpoint write.
            long target = started + 1 + timing.nextInt((int) Math.max(1, STEPS - started - 2));
            awaitStep(lines, target, kill, tmp);
            Thread.sleep(timing.nextInt(40));
            if (child.isAlive()) {
                killed++;
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertCheckpointsComplete(out.resolve("checkpoints"));
        }
        assertThat(killed).as("at least one child was killed mid-run").isPositive();

        Process last = start(corpus, config, out, tmp.resolve("child-final.log"));
        lines(last);
        assertThat(last.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).as("final run, see %s", tmp.resolve("child-final.log")).isZero();
        assertCheckpointsComplete(out.resolve("checkpoints"));

        // The uninterrupted run, in a child JVM started the same way (same kernels, same thread count).
        Path reference = tmp.resolve("reference");
        Process uninterrupted = start(corpus, config, reference, tmp.resolve("reference.log"));
        lines(uninterrupted);
        assertThat(uninterrupted.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(uninterrupted.exitValue()).as("reference run, see %s", tmp.resolve("reference.log")).isZero();
        List<Double> resumed = losses(out.resolve("checkpoints/metrics.jsonl"));
        assertThat(resumed).hasSize((int) STEPS).containsExactlyElementsOf(losses(reference.resolve("checkpoints/metrics.jsonl")));
        assertThat(tensorBytes(out.resolve("model.safetensors")))
                .as("final weights").isEqualTo(tensorBytes(reference.resolve("model.safetensors")));
        assertThat(Files.readString(out.resolve("vocab.txt"))).isEqualTo(Files.readString(reference.resolve("vocab.txt")));
    }

    private static void awaitStep(BlockingQueue<String> lines, long target, int kill, Path tmp) throws InterruptedException {
        while (true) {
            String line = lines.poll(120, TimeUnit.SECONDS);
            assertThat(line).as("child %d reaching step %d (its log is in %s)", kill, target, tmp).isNotNull();
            if (line.equals("step " + target)) {
                return;
            }
        }
    }

    private static void assertCheckpointsComplete(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (CHECKPOINT.matcher(name).matches()) {
                    JsonNode state = CheckpointManager.verify(
                            new CheckpointManager.Checkpoint(Long.parseLong(name.substring(11)), p));
                    assertThat(state.path("step").asLong() % EVERY).isZero();
                    // A checkpoint is a model directory in its own right.
                    assertThat(p.resolve("config.json")).isRegularFile();
                    assertThat(p.resolve("vocab.txt")).isRegularFile();
                }
            }
        }
    }

    private static List<Double> losses(Path jsonl) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            JsonNode e = JSON.readTree(line);
            if (e.path("split").asText().equals("train")) {
                assertThat(e.path("step").asLong()).isEqualTo(out.size() + 1);
                out.add(e.path("loss").asDouble());
            }
        }
        return out;
    }

    private static List<String> tensorBytes(Path file) {
        List<String> out = new ArrayList<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                ByteBuffer b = f.rawBytes(name);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                out.add(name + ":" + java.util.Arrays.hashCode(bytes) + ":" + bytes.length);
            }
        }
        return out;
    }

    private static BlockingQueue<String> lines(Process child) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // killed
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static Process start(Path corpus, Path config, Path out, Path log) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC"));
        if (ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.contains("jdk.incubator.vector"))) {
            command.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        command.addAll(List.of("-cp", classpath, PretrainingKillMain.class.getName(), corpus.toString(),
                config.toString(), out.toString(), Long.toString(STEPS), Long.toString(EVERY)));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(log.toFile());
        return pb.start();
    }
}
