package dev.bertj.app.cli;

import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How CLI commands turn {@code --model NAME|DIR} into a loaded encoder with its heads. */
final class CliModels {

    private CliModels() {
    }

    /** A model directory, or a well-known name converted once into the local model cache. */
    static Path resolve(String nameOrDir) {
        Path p = Path.of(nameOrDir);
        if (Files.isDirectory(p)) {
            return p;
        }
        return dev.bertj.core.hub.ModelRegistry.resolve(nameOrDir);
    }

    /** The encoder of {@code nameOrDir}, its tokenizer, and every head plugin on the classpath. */
    static HeadHost open(String nameOrDir, long seed) throws IOException {
        Path dir = resolve(nameOrDir);
        BertModel model = BertModel.load(dir);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.load(dir);
        return new HeadHost(model, tokenizer, dir, HeadHost.discover(CliModels.class.getClassLoader()), seed);
    }
}
