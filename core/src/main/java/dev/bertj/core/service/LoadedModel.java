package dev.bertj.core.service;

import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A model directory loaded: the encoder and its tokenizer. Shared by {@link Bertj} and {@link BertjModule}. */
record LoadedModel(Path dir, BertModel model, WordPieceTokenizer tokenizer) {

    /** A well-known name (converted into the local cache on first use) or a native model directory. */
    static LoadedModel open(ModelRegistry registry, String nameOrDir) {
        return open(registry.resolve(nameOrDir));
    }

    static LoadedModel open(Path dir) {
        BertModel model = BertModel.load(dir);
        try {
            return new LoadedModel(dir, model, WordPieceTokenizer.load(dir));
        } catch (IOException e) {
            model.close();
            throw new UncheckedIOException(dir + ": cannot load the tokenizer: " + e.getMessage(), e);
        }
    }
}
