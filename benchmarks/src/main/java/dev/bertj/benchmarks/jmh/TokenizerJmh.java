package dev.bertj.benchmarks.jmh;

import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/** bertj's full encode (ids, offsets, masks, tokens) of one 150-word SQuAD paragraph, bert-base-uncased vocabulary. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenizerJmh {

    static final String PARAGRAPH = "Architecturally, the school has a Catholic character. Atop the Main Building's gold "
            + "dome is a golden statue of the Virgin Mary. Immediately in front of the Main Building and facing it, is a "
            + "copper statue of Christ with arms upraised with the legend \"Venite Ad Me Omnes\". Next to the Main "
            + "Building is the Basilica of the Sacred Heart. Immediately behind the basilica is the Grotto, a Marian place "
            + "of prayer and reflection. It is a replica of the grotto at Lourdes, France where the Virgin Mary "
            + "reputedly appeared to Saint Bernadette Soubirous in 1858. At the end of the main drive (and in a direct "
            + "line that connects through 3 statues and the Gold Dome), is a simple, modern stone statue of Mary.";

    WordPieceTokenizer tokenizer;

    @Setup
    public void setup() throws Exception {
        Path json = Files.createTempFile("bert-base-uncased", ".json");
        try (InputStream in = TokenizerJmh.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, json, StandardCopyOption.REPLACE_EXISTING);
        }
        tokenizer = WordPieceTokenizer.fromTokenizerJson(json);
        Files.delete(json);
    }

    @Benchmark
    public int encodeParagraph() {
        return tokenizer.encode(PARAGRAPH).length();
    }
}
