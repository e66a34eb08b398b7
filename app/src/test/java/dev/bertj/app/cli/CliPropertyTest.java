package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.app.testing.AllHeadsModel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI under hostile input: random stdin bytes (invalid UTF-8, lone surrogates, NUL, tabs, huge lines, JSON
 * fragments) and random option values (negative, zero, huge, non-numeric, unknown names) for every inference
 * command, on a tiny model with every head. Whatever comes in, {@link BertCli#run} returns (nothing escapes it), a
 * failure is a nonzero exit code with a readable message (no stack trace, no bare exception name), and good input
 * exits 0 with one answer per line.
 */
class CliPropertyTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] COMMANDS = {"tokenize", "embed", "fill-mask", "nsp", "classify", "qa", "translate"};
    /** What a bug looks like from outside: an internal exception's name where a reason should be. */
    static final Pattern BUG = Pattern.compile("NullPointerException|IndexOutOfBoundsException|ClassCastException"
            + "|NegativeArraySizeException|ArithmeticException|ConcurrentModificationException|OutOfMemoryError"
            + "|StackOverflowError|UnsupportedOperationException|\tat [a-z]");

    private static Path root;
    private static Path model;

    private static synchronized Path model() {
        if (model == null) {
            try {
                root = Files.createTempDirectory("bertj-cli-property");
                model = AllHeadsModel.write(root.resolve("all-heads"), 5);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }

    @AfterContainer
    static void deleteModel() throws IOException {
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static CliRun run(byte[] stdin, List<String> args) {
        return CliRun.run(stdin, args.toArray(String[]::new));
    }

    // -------------------------------------------------------------------------------------------------------------
    // Hostile input: never a crash, and a failure says why.

    @Property(tries = 300)
    void hostileStdinAndOptionsNeverCrash(@ForAll("invocations") List<String> invocation, @ForAll("stdin") byte[] stdin,
                                          @ForAll("modelArgs") String modelArg) {
        String command = invocation.get(0);
        List<String> args = new ArrayList<>(List.of(command, "--model", modelArg.equals("*") ? model().toString() : modelArg));
        args.addAll(invocation.subList(1, invocation.size()));
        CliRun r = run(stdin, args);
        Statistics.label("command and exit code").collect(command, r.exit());
        String shown = "bert " + String.join(" ", args) + " <<< " + preview(stdin) + "\nexit " + r.exit() + "\nstderr: "
                + r.err() + "\nstdout: " + preview(r.out().getBytes(StandardCharsets.UTF_8));
        assertThat(r.exit()).as(shown).isIn(0, 1, 2);
        assertThat(r.err()).as(shown).doesNotContainPattern(BUG);
        List<JsonNode> lines = jsonLines(r.out(), shown);
        for (JsonNode line : lines) {
            if (line.has("error")) {
                assertThat(line.get("error").asText()).as(shown).isNotBlank().doesNotContainPattern(BUG);
            }
        }
        if (r.exit() == 0) {
            assertThat(lines).as(shown).noneMatch(l -> l.has("error"));
        } else {
            // A nonzero exit says why: a message on stderr, or the failing line's {"error"} in its place.
            boolean errorLine = lines.stream().anyMatch(l -> l.has("error"));
            assertThat(errorLine || !r.err().isBlank()).as(shown).isTrue();
            if (!r.err().isBlank() && r.exit() == 1) {
                String message = r.err().lines().filter(l -> l.startsWith("bert ")).findFirst().orElse(r.err());
                assertThat(message).as(shown).doesNotMatch("bert \\S+: (null|[A-Za-z.]*(Exception|Error))\\s*");
            }
        }
    }

    @Provide
    Arbitrary<String> commands() {
        return Arbitraries.of(COMMANDS);
    }

    /** The tiny model ("*") mostly; sometimes a name or path that is not a model. */
    @Provide
    Arbitrary<String> modelArgs() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just("*")),
                Tuple.of(1, Arbitraries.of("", "../../etc", "/nonexistent/model", "no-such-model", "/dev/null",
                        "/etc/passwd", "\u0000", "x".repeat(300))));
    }

    @Provide
    Arbitrary<byte[]> stdin() {
        Arbitrary<byte[]> randomBytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of("the", "cat", "sat", "[MASK]", "paris", "?", ".", "hello world", "\t", "\n",
                        "\r\n", " ", "[SEP]", "[CLS]", "##", "{\"question\": \"where?\", \"context\": \"paris\"}",
                        "{\"question\": 5}", "{\"top_k\": -1, \"question\": \"a\", \"context\": \"b\"}", "{", "[1,2]",
                        "null", "\"\"", "{\"question\": \"\", \"context\": \"\"}")),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40)),
                Tuple.of(1, Arbitraries.of("\u0000", "\uD800", "\uDC00", "\uFEFF", "\u202E", "\u0085", "\u2028",
                        "\uD83D\uDE00", "\u00AD")),
                Tuple.of(1, Arbitraries.integers().between(1, 4).map(k -> "word ".repeat(k == 4 ? 200_000 : k * 300))));
        Arbitrary<byte[]> text = piece.list().ofMaxSize(30).map(p -> String.join("", p).getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> invalidUtf8 = text.map(t -> {
            byte[] bad = {(byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xC3, (byte) 0x28, (byte) 0xFF, 0, '\n'};
            byte[] b = new byte[t.length + bad.length];
            System.arraycopy(t, 0, b, 0, t.length / 2);
            System.arraycopy(bad, 0, b, t.length / 2, bad.length);
            System.arraycopy(t, t.length / 2, b, t.length / 2 + bad.length, t.length - t.length / 2);
            return b;
        });
        return Arbitraries.frequencyOf(Tuple.of(2, randomBytes), Tuple.of(5, text), Tuple.of(2, invalidUtf8),
                Tuple.of(1, Arbitraries.just(new byte[0])));
    }

    /**
     * A command and random values for its own options (mostly), or for any command's options (sometimes: the
     * others' are unknown to it, a usage error).
     */
    @Provide
    Arbitrary<List<String>> invocations() {
        return Arbitraries.of(COMMANDS).flatMap(command -> Arbitraries.frequencyOf(
                        Tuple.of(4, options().filter(o -> ownOptions(command, o))), Tuple.of(1, options()))
                .map(options -> {
                    List<String> all = new ArrayList<>(List.of(command));
                    all.addAll(options);
                    return all;
                }));
    }

    /** Whether every option name in {@code args} belongs to {@code command}. */
    static boolean ownOptions(String command, List<String> args) {
        List<String> own = switch (command) {
            case "tokenize" -> List.of("--max-length", "--stride", "--truncation", "--pair", "--pad", "--cased",
                    "--max-line-chars");
            case "embed" -> List.of("--pooling", "--normalize", "--truncate", "--max-length", "--batch",
                    "--max-line-chars");
            case "fill-mask" -> List.of("--top-k", "--targets", "--batch-size");
            case "classify" -> List.of("--top-k", "--batch-size");
            case "qa" -> List.of("--top-k", "--handle-impossible-answer", "--batch-size");
            case "translate" -> List.of("--beams", "--max-length", "--batch-size");
            default -> List.of("--batch-size");
        };
        // Option names start with "--" ("-x" is the one short one); values such as "-1" are not names.
        return args.stream().filter(a -> a.startsWith("--") || a.equals("-x")).allMatch(own::contains);
    }

    /** A random subset of every command's options. */
    @Provide
    Arbitrary<List<String>> options() {
        Arbitrary<String> number = Arbitraries.of("-1", "0", "1", "2", "3", "7", "64", "512", "1000000000",
                "-2147483648", "99999999999", "1.5", "abc", "", "0x10");
        Arbitrary<List<String>> option = Arbitraries.oneOf(
                number.map(v -> List.of("--max-length", v)),
                number.map(v -> List.of("--stride", v)),
                number.map(v -> List.of("--top-k", v)),
                number.map(v -> List.of("--batch-size", v)),
                number.map(v -> List.of("--batch", v)),
                number.map(v -> List.of("--beams", v)),
                number.map(v -> List.of("--max-line-chars", v)),
                Arbitraries.of("longest_first", "only_first", "only_second", "none", "LONGEST_FIRST", "bogus", "")
                        .map(v -> List.of("--truncation", v)),
                Arbitraries.of("mean", "cls", "pooler", "max", "").map(v -> List.of("--pooling", v)),
                Arbitraries.of("cat,dog", "", ",", "[MASK]", "zzzz").map(v -> List.of("--targets", v)),
                Arbitraries.of("--pair", "--pad", "--cased", "--normalize", "--truncate", "--handle-impossible-answer",
                        "--no-such-option", "--help", "-x").map(List::of));
        return option.list().ofMaxSize(4).map(l -> l.stream().flatMap(List::stream).toList());
    }

    // -------------------------------------------------------------------------------------------------------------
    // Good input: exit 0 and an answer per line.

    @Property(tries = 70)
    void goodInputExitsZeroWithAnAnswerPerLine(@ForAll("commands") String command,
                                               @ForAll("sentences") List<String> sentences) {
        List<String> lines = new ArrayList<>();
        for (String s : sentences) {
            lines.add(switch (command) {
                case "fill-mask" -> s + " [MASK] .";
                case "nsp" -> s + "\t" + new StringBuilder(s).reverse();
                case "qa" -> JSON.createObjectNode().put("question", "where is " + s + " ?")
                        .put("context", s + " is in paris . the cat sat on the mat .").toString();
                case "tokenize" -> s;
                default -> s;
            });
        }
        byte[] stdin = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of(command, "--model", model().toString()));
        CliRun r = run(stdin, args);
        String shown = "bert " + String.join(" ", args) + " <<< " + preview(stdin) + "\nexit " + r.exit() + "\nstderr: "
                + r.err() + "\nstdout: " + preview(r.out().getBytes(StandardCharsets.UTF_8));
        assertThat(r.exit()).as(shown).isZero();
        List<JsonNode> out = jsonLines(r.out(), shown);
        assertThat(out).as(shown).noneMatch(l -> l.has("error"));
        if (!command.equals("tokenize")) {
            assertThat(out).as(shown).hasSize(lines.size());
        } else {
            assertThat(out).as(shown).hasSizeGreaterThanOrEqualTo(lines.size());
        }
    }

    /** Short sentences of the model's words and other printable text (never blank: blank lines get no answer). */
    @Provide
    Arbitrary<List<String>> sentences() {
        Arbitrary<String> word = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("the", "cat", "dog", "sat", "on", "mat", "paris", "is", "capital", "of",
                        "france", "hello", "world", ",", "!")),
                Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').ofMinLength(1)
                        .ofMaxLength(10)),
                Tuple.of(1, Arbitraries.strings().withCharRange('\u00C0', '\u024F').withCharRange('\u4E00', '\u4E40')
                        .ofMinLength(1).ofMaxLength(4)));
        Arbitrary<String> sentence = word.list().ofMinSize(1).ofMaxSize(12).map(w -> String.join(" ", w));
        return sentence.list().ofMinSize(1).ofMaxSize(5);
    }

    // -------------------------------------------------------------------------------------------------------------

    /** stdout is JSON lines (tokenize prints one object or array per line too). */
    static List<JsonNode> jsonLines(String out, String shown) {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.isBlank()) {
                continue;
            }
            try {
                nodes.add(JSON.readTree(line));
            } catch (IOException e) {
                // Usage and --help text go to stdout as text: only when nothing ran.
                if (!out.contains("Usage:")) {
                    throw new AssertionError("not a JSON line: " + preview(line.getBytes(StandardCharsets.UTF_8))
                            + "\n" + shown, e);
                }
                return nodes;
            }
        }
        return nodes;
    }

    static String preview(byte[] b) {
        String s = new String(b, 0, Math.min(b.length, 300), StandardCharsets.UTF_8);
        return b.length > 300 ? s + "... (" + b.length + " bytes)" : s;
    }
}
