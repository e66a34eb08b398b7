package dev.bertj.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./bert corpus} on the reader fixtures vendored in core's test resources. */
class CorpusCommandTest {

    private static final Path FIXTURES = Path.of("..", "core", "src", "test", "resources", "dev", "bertj", "core",
            "corpus");

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.withoutInput(args);
    }

    @Test
    void writesTrainingAndHeldOutTextFromBothSources() throws IOException {
        Path train = tmp.resolve("train.txt");
        Path heldOut = tmp.resolve("heldout.txt");
        CliRun r = run("corpus", "--sword", FIXTURES.resolve("sword-web-excerpt").toString(),
                "--janeausten", FIXTURES.resolve("janeaustenr-excerpt").toString(),
                "--out", train.toString(), "--heldout-out", heldOut.toString(), "--heldout-fraction", "0.25");
        assertThat(r.exit()).as(r.err()).isZero();
        // 10 documents (5 chapters of each source); every fourth is held out.
        assertThat(r.out()).contains("training", "8 documents").contains("held-out", "2 documents");

        String[] trainDocs = Files.readString(train).split("\n\n");
        String[] heldOutDocs = Files.readString(heldOut).split("\n\n");
        assertThat(trainDocs).hasSize(8);
        assertThat(heldOutDocs).hasSize(2);
        assertThat(trainDocs[0]).startsWith("In the beginning, God created the heavens and the earth.\n"
                + "The earth was formless and empty.\n");
        // Documents 3 and 7 (from 0): the Song of Songs and Emma's first chapter.
        assertThat(heldOutDocs[0]).startsWith("The Song of songs, which is Solomon’s.\n");
        assertThat(heldOutDocs[1]).startsWith("Emma Woodhouse, handsome, clever, and rich,");
        assertThat(Files.readString(train)).doesNotContain("\n\n\n").endsWith("\n").doesNotEndWith("\n\n");
    }

    @Test
    void explainsUsageErrors() {
        CliRun none = run("corpus", "--out", tmp.resolve("x.txt").toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("--sword DIR or --janeausten DIR");

        CliRun fraction = run("corpus", "--janeausten", FIXTURES.resolve("janeaustenr-excerpt").toString(),
                "--out", tmp.resolve("x.txt").toString(), "--heldout-fraction", "0.1");
        assertThat(fraction.exit()).isEqualTo(2);
        assertThat(fraction.err()).contains("--heldout-out");

        CliRun missing = run("corpus", "--sword", tmp.toString(), "--out", tmp.resolve("x.txt").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("bert corpus:", "no SWORD zText module");
    }
}
