package dev.bertj.app.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fresh models, plugins and jobs directories for one Quarkus test run, with the tiny model as the default and a
 * management token. Deleted afterwards.
 */
public class ServiceDirs implements QuarkusTestResourceLifecycleManager {

    /** The management token of the test configuration (src/test/resources/application.properties). */
    public static final String TOKEN = "test-token-0123456789";
    private Path root;
    private boolean fullDisk;
    private boolean mounted;

    @Override
    public void setContext(Context context) {
        fullDisk = FullDiskProfile.class.getName().equals(context.testProfile());
    }

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("bertj-service-test");
            if (fullDisk) {
                // FullDiskJobTest: the models directory (where jobs write their checkpoints) on a small tmpfs that
                // the test fills. Mounting needs root; without it the test is skipped.
                Files.createDirectories(root.resolve("models"));
                mounted = run("mount", "-t", "tmpfs", "-o", "size=" + FullDiskProfile.DISK_BYTES, "tmpfs",
                        root.resolve("models").toString());
            }
            TinyModel.write(root.resolve("models").resolve("tiny"), 7);
            TinyModel.write(root.resolve("models").resolve("tiny-two"), 8);
            Path broken = Files.createDirectories(root.resolve("models").resolve("broken"));
            Files.writeString(broken.resolve("config.json"), "{\"hidden_size\": 32, \"vocab_size\": ");
            Files.writeString(broken.resolve("model.safetensors"), "not a safetensors file");
            // A whole model whose weights file was cut in half (an interrupted copy).
            Path truncated = TinyModel.write(root.resolve("models").resolve("truncated"), 9);
            try (var weights = java.nio.channels.FileChannel.open(truncated.resolve("model.safetensors"),
                    java.nio.file.StandardOpenOption.WRITE)) {
                weights.truncate(weights.size() / 2);
            }
            interruptedJob("job-000000000001", "tiny", "resumed-after-restart");
            interruptedJob("job-000000000002", "model-that-was-deleted", "never-written");
            return Map.of(
                    "bertj.dirs.models", root.resolve("models").toString(),
                    "bertj.dirs.plugins", root.resolve("plugins").toString(),
                    "bertj.dirs.jobs", root.resolve("jobs").toString(),
                    "bertj.dirs.data", root.resolve("data").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Classification training data the tiny model can take: two labels, short sentences, TSV with a header. */
    public static String trainingTsv(int repeats) {
        StringBuilder b = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < repeats; i++) {
            b.append("the cat sat on the mat\tpos\nhello world\tpos\nthe dog is in paris\tpos\n");
            b.append("where is the cat?\tneg\nwho sat on a dog?\tneg\nwhat is the capital?\tneg\n");
        }
        return b.toString();
    }

    /**
     * A job a previous run of the service left RUNNING (as a kill would), with its inline data in its directory.
     */
    private void interruptedJob(String id, String model, String out) throws IOException {
        Path dir = Files.createDirectories(root.resolve("jobs").resolve(id));
        Files.writeString(dir.resolve("train.tsv"), trainingTsv(2));
        Files.writeString(dir.resolve("job.json"), """
                {"id": "%s", "type": "finetune", "state": "RUNNING", "out": "%s",
                 "request": {"head": "classification", "model": "%s", "train_name": "train.tsv", "epochs": 1,
                             "batch": 4, "max_length": 16, "freeze_encoder": true, "checkpoint_every": 2},
                 "created": "2026-01-01T00:00:00Z", "started": "2026-01-01T00:00:01Z", "step": 1, "total_steps": 3,
                 "restarts": 0}
                """.formatted(id, out, model));
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void stop() {
        if (root == null) {
            return;
        }
        if (mounted && !run("umount", root.resolve("models").toString())) {
            run("umount", "-l", root.resolve("models").toString());
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
