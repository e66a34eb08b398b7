package dev.bertj.app.model;

import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.core.hub.ModelRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the directory of a model by its name: a directory under the models directory first (fine-tuned models,
 * models copied there), else a well-known name from core's {@link ModelRegistry} (converted into its cache on first
 * use). Names are checked before any path is built, and a directory must stay inside the models directory.
 */
@Singleton
public class ModelLocator {

    /** Where a model was found and how ("directory" or "well-known"). */
    public record Located(Path dir, String how) {
    }

    private final Path modelsDir;
    private final ModelRegistry registry;

    @Inject
    public ModelLocator(ServiceConfig config, ModelRegistry registry) {
        this.modelsDir = config.dirs().models();
        this.registry = registry;
    }

    public Path modelsDir() {
        return modelsDir;
    }

    public boolean exists(String name) {
        return SafeNames.valid(name) && (Files.isDirectory(modelsDir.resolve(name))
                || ModelRegistry.knownModels().containsKey(name));
    }

    public Located locate(String name) {
        Path dir = SafeNames.inside(modelsDir, "model id", name);
        if (Files.isDirectory(dir)) {
            return new Located(dir, "directory");
        }
        if (ModelRegistry.knownModels().containsKey(name)) {
            try {
                return new Located(registry.resolve(name), "well-known");
            } catch (RuntimeException e) {
                throw ProblemException.unprocessable("the well-known model '" + name + "' is not available: "
                        + e.getMessage());
            }
        }
        throw ProblemException.notFound("model", "no model named '" + name + "': not a directory under the models "
                + "directory (bertj.dirs.models) nor a well-known name " + ModelRegistry.knownNames());
    }
}
