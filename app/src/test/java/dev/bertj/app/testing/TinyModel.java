package dev.bertj.app.testing;

import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small real BERT (2 layers, hidden 32, random weights from a fixed seed) written as a model directory, with a
 * word-level vocabulary and fresh NSP, QA and classification heads saved beside it. For endpoint tests whose behaviour does not depend on
 * which model answers; tests of what a model says use bert-base-uncased.
 */
public final class TinyModel {

    private TinyModel() {
    }

    static final List<String> WORDS = List.of("the", "a", "cat", "dog", "sat", "on", "mat", "paris", "is", "capital",
            "of", "france", "bert", "what", "where", "who", "lives", "in", "hello", "world", ".", ",", "?", "!");

    public static Path write(Path dir, long seed) throws IOException {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(WORDS);
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add(String.valueOf(c));
            vocab.add("##" + c);
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("vocab.txt"), vocab);
        BertConfig config = BertConfig.of(vocab.size(), 32, 2, 4, 64);
        try (BertModel model = BertModel.initialize(config, seed)) {
            model.save(dir);
            WordPieceTokenizer tokenizer = WordPieceTokenizer.load(dir);
            HeadHost host = new HeadHost(model, tokenizer, dir, HeadHost.discover(TinyModel.class.getClassLoader()), seed);
            host.freshHead("nsp", Map.of()).save(HeadFiles.dir(dir, "nsp"));
            host.freshHead("qa", Map.of("max_seq_len", "64", "doc_stride", "16", "max_query_len", "16"))
                    .save(HeadFiles.dir(dir, "qa"));
            host.freshHead("classification", Map.of("labels", "pos,neg")).save(HeadFiles.dir(dir, "classification"));
        }
        return dir;
    }
}
