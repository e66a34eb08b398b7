package dev.bertj.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bertj.app.testing.TinyModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bert tokenize} end to end through {@link BertCli#run}, with stdin and stdout redirected. */
class TokenizeCommandTest {

    @TempDir
    static Path dir;

    static Path vocab;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The ids are the line numbers: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 hello=5 ... */
    @BeforeAll
    static void writeVocab() throws IOException {
        vocab = dir.resolve("vocab.txt");
        Files.write(vocab, List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", ",", "!",
                "the", "cafe", "a", "##a", "b", "##b"));
    }

    /** The non-empty lines of the run's standard output, each parsed as JSON. */
    private static List<JsonNode> jsonLines(CliRun r) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isEmpty()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    private static CliRun run(byte[] stdin, String... args) {
        return CliRun.run(stdin, args);
    }

    private static CliRun run(String stdin, String... args) {
        return CliRun.run(stdin, args);
    }

    private static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("tokenize", "--vocab", vocab.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void writesOneJsonObjectPerLine() throws IOException {
        CliRun r = run("Hello, worlds!\n\nCafé\n", args());
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> lines = jsonLines(r);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).toString()).isEqualTo("{\"ids\":[2,5,8,6,7,9,3],\"type_ids\":[0,0,0,0,0,0,0],"
                + "\"tokens\":[\"[CLS]\",\"hello\",\",\",\"world\",\"##s\",\"!\",\"[SEP]\"],"
                + "\"offsets\":[null,[0,5],[5,6],[7,12],[12,13],[13,14],null]}");
        // An empty line is an empty text.
        assertThat(lines.get(1).toString())
                .isEqualTo("{\"ids\":[2,3],\"type_ids\":[0,0],\"tokens\":[\"[CLS]\",\"[SEP]\"],\"offsets\":[null,null]}");
        // Uncased: lowercased, accent stripped, offsets still cover the original characters.
        assertThat(lines.get(2).get("tokens").toString()).isEqualTo("[\"[CLS]\",\"cafe\",\"[SEP]\"]");
        assertThat(lines.get(2).get("offsets").toString()).isEqualTo("[null,[0,4],null]");
    }

    @Test
    void pairsAreTabSeparated() throws IOException {
        CliRun r = run("hello\tthe world\n", args("--pair"));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode line = jsonLines(r).get(0);
        assertThat(line.get("ids").toString()).isEqualTo("[2,5,3,10,6,3]");
        assertThat(line.get("type_ids").toString()).isEqualTo("[0,0,0,1,1,1]");
        // Offsets of the second text index into the second text.
        assertThat(line.get("offsets").toString()).isEqualTo("[null,[0,5],null,[0,3],[4,9],null]");
    }

    @Test
    void overflowingLinesBecomeArraysOfWindows() throws IOException {
        CliRun r = run("a b a b a\nhello\n", args("--max-length", "5", "--stride", "1"));
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> lines = jsonLines(r);
        assertThat(lines.get(0).isArray()).isTrue();
        List<String> windows = new ArrayList<>();
        lines.get(0).forEach(w -> windows.add(w.get("tokens").toString()));
        // Windows of 3 text tokens advancing by 2 (stride 1): positions 0-2, then 2-4.
        assertThat(windows).containsExactly("[\"[CLS]\",\"a\",\"b\",\"a\",\"[SEP]\"]",
                "[\"[CLS]\",\"a\",\"b\",\"a\",\"[SEP]\"]");
        assertThat(lines.get(0).get(1).get("offsets").toString()).isEqualTo("[null,[4,5],[6,7],[8,9],null]");
        // A line that fits stays a single object.
        assertThat(lines.get(1).isObject()).isTrue();
    }

    @Test
    void paddingAndTruncationStrategies() throws IOException {
        CliRun r = run("hello\tthe world the world\n", args("--pair", "--max-length", "6", "--truncation", "ONLY_SECOND",
                "--pad"));
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode first = jsonLines(r).get(0).get(0);
        assertThat(first.get("ids").toString()).isEqualTo("[2,5,3,10,6,3]");
        CliRun padded = run("hello\n", args("--max-length", "5", "--pad"));
        assertThat(jsonLines(padded).get(0).get("ids").toString()).isEqualTo("[2,5,3,0,0]");
        assertThat(jsonLines(padded).get(0).get("offsets").toString()).isEqualTo("[null,[0,5],null,null,null]");
    }

    @Test
    void invalidUtf8IsReplacedAndWarnedAbout() throws IOException {
        byte[] bytes = {'h', 'e', 'l', 'l', 'o', ' ', (byte) 0xC3, (byte) 0x28, ' ', 'w', 'o', 'r', 'l', 'd', '\n',
            // A UTF-16 surrogate encoded as if it were a character (CESU-8): not UTF-8, so also replaced.
            'a', ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80, ' ', 'b', '\n'};
        CliRun r = run(bytes, args());
        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("line 1").contains("U+FFFD");
        List<JsonNode> lines = jsonLines(r);
        assertThat(lines.get(0).get("tokens").toString()).isEqualTo("[\"[CLS]\",\"hello\",\"[UNK]\",\"world\",\"[SEP]\"]");
        assertThat(lines.get(1).get("tokens").toString()).isEqualTo("[\"[CLS]\",\"a\",\"b\",\"[SEP]\"]");
    }

    @Test
    void nulCharactersAndCrLfAreHandled() throws IOException {
        CliRun r = run("hel\u0000lo\u0000\r\n\u0000\r\n", args());
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> lines = jsonLines(r);
        assertThat(lines.get(0).get("tokens").toString()).isEqualTo("[\"[CLS]\",\"hello\",\"[SEP]\"]");
        assertThat(lines.get(0).get("offsets").toString()).isEqualTo("[null,[0,6],null]");
        assertThat(lines.get(1).get("ids").toString()).isEqualTo("[2,3]");
    }

    @Test
    void aTenMegabyteLineIsTokenizedAndALongerOneRejected() throws IOException {
        String big = "hello world ".repeat(10 * 1024 * 1024 / 12);
        CliRun r = run(big + "\nthe\n", args());
        assertThat(r.exit()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(2);
        // Counting the ids' commas; a JSON tree of 5 million nodes would only slow the test down.
        String ids = lines[0].substring("{\"ids\":[".length(), lines[0].indexOf(']'));
        assertThat(ids.chars().filter(c -> c == ',').count() + 1).isEqualTo(2 + 2 * (10 * 1024 * 1024 / 12));
        assertThat(ids).startsWith("2,5,6,5,6,").endsWith(",5,6,3");
        assertThat(JSON.readTree(lines[1]).get("tokens").toString()).isEqualTo("[\"[CLS]\",\"the\",\"[SEP]\"]");

        CliRun rejected = run("the\n" + "x".repeat(5000) + "\nthe\n", args("--max-line-chars", "1000"));
        assertThat(rejected.exit()).isEqualTo(1);
        assertThat(rejected.err()).contains("line 2 is longer than 1000 characters");
        assertThat(jsonLines(rejected)).hasSize(1);
    }

    @Test
    void unusableLinesStopWithAMessage() {
        CliRun r = run("hello\tworld\nno tab here\nhello\tagain\n", args("--pair"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("line 2").contains("tab");
        assertThat(r.out().split("\n")).hasSize(1);

        CliRun tooShort = run("hello\tworld\n", args("--pair", "--max-length", "4", "--truncation", "only_first"));
        assertThat(tooShort.exit()).isEqualTo(1);
        assertThat(tooShort.err()).contains("line 1").contains("cannot truncate only the first text");
    }

    @Test
    void impossibleOptionsAreUsageErrors() {
        CliRun stride = run("hello\n", args("--stride", "2"));
        assertThat(stride.exit()).isEqualTo(2);
        assertThat(stride.err()).contains("stride");
        CliRun strategy = run("hello\n", args("--max-length", "8", "--truncation", "middle"));
        assertThat(strategy.exit()).isEqualTo(2);
        assertThat(strategy.err()).contains("--truncation must be longest_first, only_first or only_second");
        CliRun noRoom = run("hello world hello world\n", args("--max-length", "2"));
        assertThat(noRoom.exit()).isEqualTo(2);
        assertThat(noRoom.err()).contains("leaves no room for text");
        CliRun noRoomForStride = run("hello\tworld\n", args("--pair", "--max-length", "6", "--stride", "3"));
        assertThat(noRoomForStride.exit()).isEqualTo(2);
        assertThat(noRoomForStride.err()).contains("--stride 3 leaves no room");
        CliRun model = run("hello\n", "tokenize", "--model", dir.resolve("missing").toString());
        assertThat(model.exit()).isEqualTo(2);
        assertThat(model.err()).contains("is neither a model directory nor a known model name")
                .contains("bert-base-uncased");
        CliRun both = run("hello\n", "tokenize", "--model", "x", "--vocab", vocab.toString());
        assertThat(both.exit()).isEqualTo(2);
    }

    /** A known name resolves through the model registry; here its cache holds a tiny model already. */
    @Test
    void loadsAKnownModelByName() throws IOException {
        Path home = dir.resolve("bertj-home");
        TinyModel.write(home.resolve("models").resolve("all-minilm-l6-v2"), 7);
        String old = System.getProperty("bertj.home");
        System.setProperty("bertj.home", home.toString());
        try {
            CliRun r = run("the cat sat\n", "tokenize", "--model", "all-minilm-l6-v2");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(jsonLines(r).get(0).get("tokens").toString()).isEqualTo("[\"[CLS]\",\"the\",\"cat\",\"sat\",\"[SEP]\"]");
        } finally {
            if (old == null) {
                System.clearProperty("bertj.home");
            } else {
                System.setProperty("bertj.home", old);
            }
        }
    }

    @Test
    void loadsAModelDirectory() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.copy(vocab, model.resolve("vocab.txt"));
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
        CliRun r = run("Hello hello\n", "tokenize", "--model", model.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(jsonLines(r).get(0).get("tokens").toString()).isEqualTo("[\"[CLS]\",\"[UNK]\",\"hello\",\"[SEP]\"]");
    }
}
