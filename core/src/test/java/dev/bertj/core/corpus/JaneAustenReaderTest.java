package dev.bertj.core.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.bertj.core.corpus.SwordZTextReaderTest.fixture;
import static dev.bertj.core.corpus.SwordZTextReaderTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The R lazy-load reader and the chapter splitting on excerpts of three novels, re-packed from janeaustenr's
 * Rdata.rdx/.rdb in the same format (janeaustenr-excerpt, see fixtures.py).
 */
class JaneAustenReaderTest {

    @TempDir
    Path tmp;

    @Test
    void readsTheLazyLoadIndexAndStreamsCharacterVectors() throws IOException {
        RLazyLoadReader db = RLazyLoadReader.open(fixture("janeaustenr-excerpt").resolve("Rdata.rdx"));
        assertThat(db.variables()).containsExactly("prideprejudice", "emma", "persuasion");

        RValue emma = db.read("emma");
        assertThat(emma.type()).isEqualTo(RValue.STRSXP);
        String[] lines = emma.strings();
        assertThat(lines[0]).isEqualTo("EMMA");
        assertThat(lines).containsNull(); // an NA element
        List<String> streamed = new ArrayList<>();
        try (RLazyLoadReader.StringVectorReader r = db.strings("emma")) {
            assertThat(r.length()).isEqualTo(lines.length);
            while (r.hasNext()) {
                streamed.add(r.next());
            }
        }
        assertThat(streamed).containsExactly(lines);
        assertThat(Arrays.stream(db.read("persuasion").strings()).anyMatch(s -> s != null && s.contains("£")))
                .as("a string flagged UTF-8").isTrue();

        assertThatThrownBy(() -> db.read("lizzy")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prideprejudice");
    }

    @Test
    void chaptersAreDocumentsNamedAfterTheNovel() throws IOException {
        List<CorpusDocument> docs = readAll(JaneAustenReader.open(fixture("janeaustenr-excerpt")));
        assertThat(docs).extracting(CorpusDocument::name).containsExactly(
                "Pride & Prejudice, Chapter 1", "Pride & Prejudice, Chapter 2",
                "Emma, CHAPTER I", "Emma, CHAPTER II", "Persuasion, Chapter 24");
        assertThat(docs.get(0).paragraphs().get(0)).isEqualTo("It is a truth universally acknowledged, that a"
                + " single man in possession of a good fortune, must be in want of a wife.");
        assertThat(docs.get(3).paragraphs().get(0)).startsWith("Mr. Weston was a native of Highbury,");
        for (CorpusDocument d : docs) {
            String text = String.join("\n", d.paragraphs());
            assertThat(text).doesNotContain("By Jane Austen", "PRIDE AND PREJUDICE", "VOLUME I", "CHAPTER",
                    "Chapter", "Finis", "  ");
        }
    }

    @Test
    void findsTheDataBelowAnExtractedPackage() throws IOException {
        Path extracted = tmp.resolve("x/usr/lib/R/site-library/janeaustenr/data");
        Files.createDirectories(extracted);
        for (String f : new String[] {"Rdata.rdx", "Rdata.rdb"}) {
            Files.copy(fixture("janeaustenr-excerpt").resolve(f), extracted.resolve(f));
        }
        assertThat(JaneAustenReader.locateIndex(tmp)).isEqualTo(extracted.resolve("Rdata.rdx"));
        assertThat(readAll(JaneAustenReader.open(tmp.resolve("x")))).hasSize(5);
    }

    @Test
    void explainsWhatIsWrongWithBadInput() throws IOException {
        assertThatThrownBy(() -> JaneAustenReader.open(tmp)).isInstanceOf(CorpusFormatException.class)
                .hasMessageContaining("no Rdata.rdx");

        Path notGzip = Files.writeString(tmp.resolve("Rdata.rdx"), "hello");
        Files.writeString(tmp.resolve("Rdata.rdb"), "");
        assertThatThrownBy(() -> RLazyLoadReader.open(notGzip)).isInstanceOf(CorpusFormatException.class)
                .hasMessageContaining("not a gzip file");

        Path alone = Files.createDirectories(tmp.resolve("alone")).resolve("Rdata.rdx");
        Files.copy(fixture("janeaustenr-excerpt").resolve("Rdata.rdx"), alone);
        assertThatThrownBy(() -> RLazyLoadReader.open(alone)).isInstanceOf(CorpusFormatException.class)
                .hasMessageContaining("needs both");

        // An index whose objects lie beyond the end of a truncated .rdb.
        Path cut = Files.createDirectories(tmp.resolve("cut"));
        Files.copy(fixture("janeaustenr-excerpt").resolve("Rdata.rdx"), cut.resolve("Rdata.rdx"));
        byte[] rdb = Files.readAllBytes(fixture("janeaustenr-excerpt").resolve("Rdata.rdb"));
        Files.write(cut.resolve("Rdata.rdb"), Arrays.copyOf(rdb, rdb.length / 2));
        assertThatThrownBy(() -> RLazyLoadReader.open(cut.resolve("Rdata.rdx")))
                .isInstanceOf(CorpusFormatException.class).hasMessageContaining("lies outside");
    }
}
