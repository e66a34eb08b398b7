package dev.bertj.core.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The zText reader on real World English Bible entries (sword-web-excerpt, see fixtures.py). */
class SwordZTextReaderTest {

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(SwordZTextReaderTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<CorpusDocument> readAll(CorpusReader reader) throws IOException {
        List<CorpusDocument> out = new ArrayList<>();
        try (reader) {
            for (CorpusDocument d = reader.next(); d != null; d = reader.next()) {
                out.add(d);
            }
            assertThat(reader.next()).isNull();
        }
        return out;
    }

    private static String text(CorpusDocument d) {
        return String.join("\n", d.paragraphs());
    }

    @Test
    void chaptersAreDocumentsOfPlainText() throws IOException {
        List<CorpusDocument> docs = readAll(SwordZTextReader.open(fixture("sword-web-excerpt"),
                SwordZTextReader.Unit.CHAPTER));
        assertThat(docs).extracting(CorpusDocument::name).containsExactly("Gen.1", "Gen.2", "Ps.3", "Song.1",
                "Matt.1");

        CorpusDocument genesis1 = docs.get(0);
        // The footnote after "God" is dropped and the space the module lost after it is restored.
        assertThat(genesis1.paragraphs().get(0)).startsWith(
                "In the beginning, God created the heavens and the earth. The earth was formless and empty.");
        assertThat(text(genesis1)).contains("God said, “Let there be light,” and there was light.")
                .contains("There was evening and there was morning, a sixth day.")
                .doesNotContain("Elohim");              // footnote text
        assertThat(text(docs.get(2))).startsWith("Yahweh, how my adversaries have increased!")
                .doesNotContain("Absalom");             // the psalm's title
        assertThat(text(docs.get(4))).startsWith("The book of the genealogy of Jesus Christ, the son of David,")
                .doesNotContain("Good News According to Matthew"); // the book's title
        for (CorpusDocument d : docs) {
            assertThat(text(d)).doesNotContain("<", ">", "&", "  ")
                    .doesNotContain("Holy Bible is a collection"); // the preface, outside any chapter
            assertThat(d.paragraphs()).allSatisfy(p -> assertThat(p).isNotBlank().isEqualTo(p.strip()));
        }
        // Paragraph divisions of the module become separate paragraphs.
        assertThat(genesis1.paragraphs()).hasSizeGreaterThan(2);
    }

    @Test
    void booksAreDocumentsToo() throws IOException {
        Path module = fixture("sword-web-excerpt");
        List<CorpusDocument> chapters = readAll(SwordZTextReader.open(module, SwordZTextReader.Unit.CHAPTER));
        List<CorpusDocument> books = readAll(SwordZTextReader.open(module, SwordZTextReader.Unit.BOOK));
        assertThat(books).extracting(CorpusDocument::name).containsExactly("Gen", "Ps", "Song", "Matt");
        List<String> genesis = new ArrayList<>(chapters.get(0).paragraphs());
        genesis.addAll(chapters.get(1).paragraphs());
        assertThat(books.get(0).paragraphs()).isEqualTo(genesis);

        List<CorpusDocument> withoutGenesis = readAll(SwordZTextReader.open(module, SwordZTextReader.Unit.CHAPTER,
                Set.of("Gen", "Song")));
        assertThat(withoutGenesis).extracting(CorpusDocument::name).containsExactly("Ps.3", "Matt.1");
    }

    @Test
    void findsTheModuleBelowAGivenDirectory() throws IOException {
        Path parent = fixture("sword-web-excerpt").getParent();
        assertThat(SwordZTextReader.locateModule(parent)).isEqualTo(fixture("sword-web-excerpt"));
        assertThatThrownBy(() -> SwordZTextReader.open(tmp, SwordZTextReader.Unit.CHAPTER))
                .isInstanceOf(CorpusFormatException.class).hasMessageContaining("no SWORD zText module");
    }

    @Test
    void recoversEntriesLargerThan64KiB() throws IOException {
        // Entry sizes are 16-bit: the real WEB stores its whole Greek Daniel (125,566 bytes) as one entry.
        String longVerse = "<chapter osisID=\"Big.1\" sID=\"Big.1\"/>" + "word ".repeat(14_000) + "last.";
        String next = "Then came the next verse. <chapter eID=\"Big.1\"/>";
        byte[] a = longVerse.getBytes(StandardCharsets.UTF_8);
        byte[] b = next.getBytes(StandardCharsets.UTF_8);
        assertThat(a.length).isGreaterThan(65536);
        writeModule(tmp, "nt", List.of(new byte[0], a, b), false);

        List<CorpusDocument> docs = readAll(SwordZTextReader.open(tmp, SwordZTextReader.Unit.CHAPTER));
        assertThat(docs).hasSize(1);
        String text = text(docs.get(0));
        assertThat(text).endsWith("word word last. Then came the next verse.");
        assertThat(text.split(" ")).hasSize(14_000 + 1 + 5);
    }

    @Test
    void explainsCorruptModules() throws IOException {
        writeModule(tmp, "nt", List.of(new byte[0], "<chapter osisID=\"X.1\" sID=\"X.1\"/>Text.".getBytes(
                StandardCharsets.UTF_8)), true);
        assertThatThrownBy(() -> readAll(SwordZTextReader.open(tmp, SwordZTextReader.Unit.CHAPTER)))
                .isInstanceOf(CorpusFormatException.class).hasMessageContaining("not a zlib stream");

        Files.write(tmp.resolve("nt.bzv"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SwordZTextReader.open(tmp, SwordZTextReader.Unit.CHAPTER))
                .isInstanceOf(CorpusFormatException.class).hasMessageContaining("not a multiple of 10");
    }

    /** A one-block testament; entries of length 0 are stored as empty entries. */
    private static void writeModule(Path dir, String testament, List<byte[]> entries, boolean corrupt)
            throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        ByteBuffer index = ByteBuffer.allocate(10 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] e : entries) {
            index.putInt(0).putInt(e.length == 0 ? 0 : block.size()).putShort((short) e.length);
            block.write(e);
        }
        byte[] data = block.toByteArray();
        Deflater deflater = new Deflater();
        deflater.setInput(data);
        deflater.finish();
        byte[] buffer = new byte[data.length + 1024];
        int compressedLength = deflater.deflate(buffer);
        deflater.end();
        if (corrupt) {
            buffer[2] ^= 0x5A;
            buffer[3] ^= 0x5A;
        }
        ByteBuffer blocks = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        blocks.putInt(0).putInt(compressedLength).putInt(data.length);
        Files.write(dir.resolve(testament + ".bzv"), index.array());
        Files.write(dir.resolve(testament + ".bzs"), blocks.array());
        Files.write(dir.resolve(testament + ".bzz"), java.util.Arrays.copyOf(buffer, compressedLength));
    }
}
