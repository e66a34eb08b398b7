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

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("bertj-service-test");
            TinyModel.write(root.resolve("models").resolve("tiny"), 7);
            TinyModel.write(root.resolve("models").resolve("tiny-two"), 8);
            Path broken = Files.createDirectories(root.resolve("models").resolve("broken"));
            Files.writeString(broken.resolve("config.json"), "{\"hidden_size\": 32, \"vocab_size\": ");
            Files.writeString(broken.resolve("model.safetensors"), "not a safetensors file");
            return Map.of(
                    "bertj.dirs.models", root.resolve("models").toString(),
                    "bertj.dirs.plugins", root.resolve("plugins").toString(),
                    "bertj.dirs.jobs", root.resolve("jobs").toString(),
                    "bertj.models.default", "tiny");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (root == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
