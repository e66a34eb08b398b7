package dev.bertj.app.model;

import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.problem.ProblemException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the directory of a model by its name: a directory under the models directory first (fine-tuned models,
 * models copied there), else a well-known name from the model registry. Names are checked before any path is
 * built, and the directory must stay inside the models directory.
 */
@Singleton
public class ModelLocator {

    /** Where a model was found and how (for listings). */
    public record Located(Path dir, String how) {
    }

    private final Path modelsDir;

    @Inject
    public ModelLocator(ServiceConfig config) {
        this.modelsDir = config.dirs().models();
    }

    public Path modelsDir() {
        return modelsDir;
    }

    public Located locate(String name) {
        Path dir = SafeNames.inside(modelsDir, "model id", name);
        if (Files.isDirectory(dir)) {
            return new Located(dir, "directory");
        }
        throw ProblemException.notFound("model", "no model named '" + name + "': not a directory under the models "
                + "directory (bertj.dirs.models) nor a well-known name");
    }
}
