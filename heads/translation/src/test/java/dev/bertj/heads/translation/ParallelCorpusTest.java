package dev.bertj.heads.translation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelCorpusTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void alignedFilesByPrefixAndByOptions() throws IOException {
        write("train.en", "A man.\nTwo dogs.\n\n");
        write("train.de", "Ein Mann.\nZwei Hunde.\n\n");
        List<ParallelExample> byPrefix = ParallelCorpus.read(dir.resolve("train"), Map.of(), "en", "de");
        assertThat(byPrefix).containsExactly(new ParallelExample("A man.", "Ein Mann."),
                new ParallelExample("Two dogs.", "Zwei Hunde."));
        List<ParallelExample> byOptions = ParallelCorpus.read(null, Map.of("source", dir.resolve("train.en").toString(),
                "target", dir.resolve("train.de").toString()), "en", "de");
        assertThat(byOptions).isEqualTo(byPrefix);
        assertThat(ParallelCorpus.read(dir.resolve("train"), Map.of("max_examples", "1"), "en", "de")).hasSize(1);
    }

    @Test
    void tsv() throws IOException {
        Path tsv = write("pairs.tsv", "A man.\tEin Mann.\n\nGirls.\tMädchen.\n");
        assertThat(ParallelCorpus.read(tsv, Map.of(), "en", "de")).containsExactly(
                new ParallelExample("A man.", "Ein Mann."), new ParallelExample("Girls.", "Mädchen."));
    }

    @Test
    void badInputIsNamed() throws IOException {
        write("bad.en", "a\nb\nc\n");
        write("bad.de", "x\ny\n");
        assertThatThrownBy(() -> ParallelCorpus.read(dir.resolve("bad"), Map.of(), "en", "de"))
                .hasMessageContaining("differ in length").hasMessageContaining("3 lines").hasMessageContaining("has 2");
        write("gap.en", "a\nb\n");
        write("gap.de", "x\n\n");
        assertThatThrownBy(() -> ParallelCorpus.read(dir.resolve("gap"), Map.of(), "en", "de"))
                .hasMessageContaining("gap.de:2").hasMessageContaining("blank line");
        Path tsv = write("three.tsv", "a\tb\tc\n");
        assertThatThrownBy(() -> ParallelCorpus.read(tsv, Map.of(), "en", "de"))
                .hasMessageContaining("three.tsv:1").hasMessageContaining("3 fields");
        assertThatThrownBy(() -> ParallelCorpus.read(dir.resolve("missing"), Map.of(), "en", "de"))
                .hasMessageContaining("no parallel data").hasMessageContaining("missing.en");
        assertThatThrownBy(() -> ParallelCorpus.read(null, Map.of("source", "x"), "en", "de"))
                .hasMessageContaining("both options 'source' and 'target'");
    }
}
