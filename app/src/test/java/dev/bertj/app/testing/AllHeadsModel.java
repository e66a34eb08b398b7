package dev.bertj.app.testing;

import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@link TinyModel} with a (small, untrained) translation head saved beside its others, so that one model
 * directory answers through every built-in head: mlm, nsp, qa, classification and translation.
 */
public final class AllHeadsModel {

    private AllHeadsModel() {
    }

    public static Path write(Path dir, long seed) throws IOException {
        TinyModel.write(dir, seed);
        Path train = Files.createTempFile("bertj-translation", ".tsv");
        try {
            Files.write(train, List.of("the cat sat on the mat .\tdie Katze sass auf der Matte.",
                    "where is paris ?\two ist Paris?", "hello world !\thallo Welt!"), StandardCharsets.UTF_8);
            try (BertModel model = BertModel.load(dir)) {
                HeadHost host = new HeadHost(model, WordPieceTokenizer.load(dir), dir,
                        HeadHost.discover(AllHeadsModel.class.getClassLoader()), seed);
                host.freshHead("translation", Map.of("layers", "1", "hidden", "16", "heads", "2", "ffn", "32",
                        "vocab_size", "60", "max_target_positions", "12", "train", train.toString()))
                        .save(HeadFiles.dir(dir, "translation"));
            }
        } finally {
            Files.deleteIfExists(train);
        }
        return dir;
    }
}
