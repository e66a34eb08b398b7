package dev.bertj.core.pretrain;

import dev.bertj.core.model.BertConfig;
import dev.bertj.core.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A vocabulary trained on a small corpus can come out smaller than asked for; the model is then built for the
 * vocabulary it has, not for the config file's vocab_size (whose extra rows would be output classes that never
 * occur, costing a larger softmax on every masked position).
 */
class PretrainingVocabularyTest {

    @Test
    void aTrainedVocabularySetsTheModelsVocabSize(@TempDir Path tmp) throws Exception {
        Path corpus = Path.of(getClass().getResource("data/austen-pride-and-prejudice-excerpt.txt").toURI());
        Path config = tmp.resolve("config.json");
        new BertConfig(8000, 32, 2, 2, 64, "gelu", 0.0, 0.0, 64, 2, 1e-12, 0.02, 0, Map.of()).write(config);
        Path out = tmp.resolve("out");
        // Asks for 300 pieces (PretrainingKillMain's settings); the excerpt gives at most that many.
        Pretraining.Settings s = PretrainingKillMain.settings(corpus, config, out, 5, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        TrainingResult result = Pretraining.run(s, new PrintStream(log, true, StandardCharsets.UTF_8), null);

        assertThat(result.status()).isEqualTo(TrainingResult.Status.COMPLETED);
        long pieces = Files.readAllLines(out.resolve("vocab.txt")).stream().filter(l -> !l.isEmpty()).count();
        assertThat(pieces).isBetween(1L, 300L);
        assertThat(BertConfig.read(out.resolve("config.json")).vocabSize()).isEqualTo((int) pieces);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("vocab_size 8000 -> " + pieces);
    }
}
