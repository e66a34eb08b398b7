package dev.bertj.core.train;

import dev.bertj.core.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a checkpoint holds of the model: which parameters go into which safetensors file (each tensor under its
 * parameter's name), and a callback for the other files of a model directory ({@code config.json}, {@code vocab.txt},
 * {@code heads/<id>/head.json}). By default every parameter goes into {@code model.safetensors}, so a checkpoint
 * directory is also a Hugging Face-layout model directory.
 */
public final class ModelLayout {

    /** Writes the non-tensor files of the model into a checkpoint directory being assembled. */
    @FunctionalInterface
    public interface ExtraFiles {
        void write(Path directory) throws IOException;
    }

    public static final String MODEL_FILE = "model.safetensors";

    private static final Set<String> RESERVED = Set.of(CheckpointManager.OPTIMIZER_FILE, CheckpointManager.STATE_FILE);

    private final Map<String, List<Parameter>> tensorFiles;
    private final ExtraFiles extras;

    private ModelLayout(Map<String, List<Parameter>> tensorFiles, ExtraFiles extras) {
        this.tensorFiles = tensorFiles;
        this.extras = extras;
    }

    /** All {@code parameters} into {@code model.safetensors}; the same object listed twice (tied weights) once. */
    public static ModelLayout of(List<Parameter> parameters) {
        return new ModelLayout(Map.of(), dir -> { }).withFile(MODEL_FILE, parameters);
    }

    /**
     * Another tensor file, e.g. {@code heads/nsp/head.safetensors} for a head's parameters (remove them from the
     * first file's list yourself: each parameter belongs to one file).
     *
     * @throws IllegalArgumentException if the path is absolute, leaves the directory, is reserved for the
     *                                  trainer's own files, or a parameter name repeats within the file
     */
    public ModelLayout withFile(String relativePath, List<Parameter> parameters) {
        Path p = Path.of(relativePath).normalize();
        if (p.isAbsolute() || p.startsWith("..") || relativePath.isBlank() || !relativePath.endsWith(".safetensors")) {
            throw new IllegalArgumentException("model tensor file must be a relative path inside the checkpoint "
                    + "ending in .safetensors, got '" + relativePath + "'");
        }
        if (RESERVED.contains(p.toString()) || tensorFiles.containsKey(p.toString())) {
            throw new IllegalArgumentException("model tensor file '" + relativePath + "' is reserved or already used");
        }
        Map<Parameter, Boolean> seen = new IdentityHashMap<>();
        Map<String, Parameter> byName = new LinkedHashMap<>();
        List<Parameter> unique = new ArrayList<>();
        for (Parameter param : parameters) {
            if (seen.put(param, Boolean.TRUE) != null) {
                continue;
            }
            if (byName.put(param.name(), param) != null) {
                throw new IllegalArgumentException("two different parameters are both named " + param.name()
                        + " in " + relativePath);
            }
            unique.add(param);
        }
        Map<String, List<Parameter>> files = new LinkedHashMap<>(tensorFiles);
        files.put(p.toString(), List.copyOf(unique));
        return new ModelLayout(Collections.unmodifiableMap(files), extras);
    }

    /** The callback that writes {@code config.json}, {@code vocab.txt} and the like into each checkpoint. */
    public ModelLayout withExtras(ExtraFiles extraFiles) {
        return new ModelLayout(tensorFiles, extraFiles);
    }

    /** Relative path -> parameters stored in it, in order. */
    public Map<String, List<Parameter>> tensorFiles() {
        return tensorFiles;
    }

    public ExtraFiles extras() {
        return extras;
    }

    long parameterBytes() {
        long n = 0;
        for (List<Parameter> ps : tensorFiles.values()) {
            for (Parameter p : ps) {
                n += 4 * p.size();
            }
        }
        return n;
    }
}
