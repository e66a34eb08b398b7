package dev.bertj.app.cli;

import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./bert translate} on a real (tiny, untrained) model directory: a small BERT, its vocabulary, and a
 * translation head written the way fine-tuning writes it. Untrained, the translations are arbitrary target words;
 * the test checks the command end to end: the model and head load through the facade, each non-blank line gets one
 * answer in HF's shape, and bad options are errors in place.
 */
class TranslateCommandTest {

    @Test
    void translatesStdinLinesIntoHuggingFaceShapedJson(@TempDir Path dir) throws Exception {
        List<String> words = List.of("a", "dog", "cat", "runs", "sleeps", "the", ".");
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(words);
        Path source = dir.resolve("source");
        Files.createDirectories(source);
        Files.write(source.resolve("vocab.txt"), vocab, StandardCharsets.UTF_8);
        BertModel model = BertModel.initialize(BertConfig.of(vocab.size(), 32, 1, 2, 64), 1);
        model.save(source);
        Path train = dir.resolve("train.tsv");
        Files.write(train, List.of("a dog runs .\tein Hund rennt.", "the cat sleeps .\tdie Katze schläft.",
                "a cat runs .\teine Katze rennt."), StandardCharsets.UTF_8);

        HeadHost host = new HeadHost(model, WordPieceTokenizer.of(Vocabulary.of(vocab), TokenizerOptions.uncased()),
                source, HeadHost.discover(TranslateCommandTest.class.getClassLoader()), 7);
        var head = host.freshHead("translation", Map.of("layers", "1", "hidden", "16", "heads", "2", "ffn", "32",
                "vocab_size", "60", "max_target_positions", "8", "train", train.toString()));
        Path out = dir.resolve("model");
        FineTuning.writeModel(host, head, out);
        assertThat(out.resolve("heads/translation/target-vocab.txt")).exists();

        List<String> lines = run("a dog runs .\n\nthe cat sleeps .\n", "translate", "--model", out.toString(), "--beams", "2");
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            assertThat(line).matches("\\[\\{\"translation_text\":\"[^\"]*\"}]");
        }
        // Greedy and beam search both answer; a max_length beyond the decoder's positions is an error line.
        assertThat(run("a cat .\n", "translate", "--model", out.toString(), "--beams", "1")).hasSize(1);
        List<String> bad = run("a cat .\n", "translate", "--model", out.toString(), "--max-length", "50");
        assertThat(bad).singleElement().asString().contains("\"error\"").contains("max_length 50");
    }

    private static List<String> run(String stdin, String... args) {
        return CliRun.run(stdin, args).out().lines().toList();
    }
}
