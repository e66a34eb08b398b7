package dev.bertj.core.io;

import dev.bertj.core.model.BertConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Hugging Face BERT checkpoint in safetensors form: a directory with {@code config.json} and
 * {@code model.safetensors} (and a vocabulary), or a {@code .safetensors} file with {@code config.json} beside it.
 * Names are canonicalized ({@code bert.} prefix dropped, LayerNorm {@code gamma/beta} renamed).
 */
public final class SafetensorsImporter {

    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private SafetensorsImporter() {
    }

    public static ImportedModel open(Path path) {
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        Path weights = Files.isDirectory(path) ? path.resolve(WEIGHTS_FILE) : path;
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException(weights + ": no such safetensors file");
        }
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(configFile + ": missing; a safetensors checkpoint needs its config.json beside it");
        }
        BertConfig config;
        try {
            config = BertConfig.read(configFile);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        TensorStore tensors = BertTensorNames.canonicalView(SafetensorsFile.open(weights));
        try (ModelFiles files = ModelFiles.open(dir)) {
            var vocab = files.vocabulary("");
            return new ImportedModel(config, tensors, vocab.map(Vocabularies.Vocabulary::tokens).orElse(null),
                    vocab.map(Vocabularies.Vocabulary::doLowerCase).orElse(null));
        } catch (RuntimeException e) {
            tensors.close();
            throw e;
        }
    }
}
