package dev.bertj.core.pretrain.data;

import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's WordPiece tokenizer with the bert-base-uncased vocabulary (the {@code tokenizer.json} inside the
 * all-MiniLM-L6-v2 test dependency), as the data generator sees it, plus vocabulary look-ups for assertions.
 */
final class TestWordPieces implements WordPieceIds {

    private static TestWordPieces bertBaseUncased;

    private final WordPieceIds ids;
    private final Vocabulary vocabulary;

    private TestWordPieces(WordPieceTokenizer tokenizer) {
        this.ids = WordPieceIds.of(tokenizer);
        this.vocabulary = tokenizer.vocabulary();
    }

    static synchronized TestWordPieces bertBaseUncased() {
        if (bertBaseUncased == null) {
            try (InputStream in = TestWordPieces.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
                Path file = Files.createTempFile("bert-base-uncased", "-tokenizer.json");
                try {
                    Files.write(file, in.readAllBytes());
                    bertBaseUncased = new TestWordPieces(WordPieceTokenizer.fromTokenizerJson(file));
                } finally {
                    Files.delete(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bertBaseUncased;
    }

    int id(String token) {
        int id = vocabulary.id(token);
        if (id < 0) {
            throw new IllegalArgumentException("not in vocab: " + token);
        }
        return id;
    }

    String token(int id) {
        return vocabulary.token(id);
    }

    int unkId() {
        return vocabulary.unkId();
    }

    @Override
    public int[] encode(String line) {
        return ids.encode(line);
    }

    @Override
    public int vocabSize() {
        return ids.vocabSize();
    }

    @Override
    public int clsId() {
        return ids.clsId();
    }

    @Override
    public int sepId() {
        return ids.sepId();
    }

    @Override
    public int maskId() {
        return ids.maskId();
    }

    @Override
    public int padId() {
        return ids.padId();
    }

    @Override
    public boolean isContinuation(int id) {
        return ids.isContinuation(id);
    }
}
