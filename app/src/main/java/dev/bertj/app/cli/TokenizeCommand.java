package dev.bertj.app.cli;

import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Truncation;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ./bert tokenize}: one JSON object per input line, streamed, with the same ids, tokens and offsets as Hugging
 * Face's BertTokenizerFast.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {
            "Tokenizes UTF-8 lines from stdin and writes one JSON object per line:",
            "  {\"ids\":[...],\"type_ids\":[...],\"tokens\":[...],\"offsets\":[[start,end] or null,...]}",
            "Offsets are Java String indices (UTF-16 code units) into the line (into the text of the pair a token",
            "came from); null for [CLS]/[SEP]/[PAD]. An empty line is an empty text ([CLS] [SEP]).",
            "When a truncated line overflows, its output is a JSON array: the first window, then every overflow",
            "window (HF's return_overflowing_tokens).",
            "Invalid UTF-8 is replaced by U+FFFD (which the tokenizer drops, as HF drops it) with a warning on",
            "stderr. A line longer than --max-line-chars, or a --pair line without a tab, stops the run with exit 1."
        })
public class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static class Source {
        @Option(names = "--vocab", paramLabel = "PATH",
                description = "vocab.txt (uncased unless --cased) or a tokenizer.json")
        Path vocab;

        @Option(names = "--model", paramLabel = "NAME|DIR",
                description = "a known model name (converted and cached on first use) or a Hugging Face model "
                        + "directory (tokenizer.json or vocab.txt, tokenizer_config.json)")
        String model;
    }

    @Option(names = "--cased", description = "with --vocab vocab.txt: keep case and accents (bert-base-cased)")
    boolean cased;

    @Option(names = "--pair", description = "each line holds two texts separated by a tab")
    boolean pair;

    @Option(names = "--max-length", paramLabel = "N", description = "maximum length including special tokens")
    int maxLength;

    @Option(names = "--truncation", paramLabel = "S",
            description = "longest_first (default with --max-length), only_first, only_second")
    String truncation;

    @Option(names = "--stride", paramLabel = "K", description = "tokens shared by consecutive overflow windows")
    int stride;

    @Option(names = "--pad", description = "pad every encoding to --max-length with [PAD]")
    boolean pad;

    @Option(names = "--max-line-chars", paramLabel = "N", defaultValue = "16777216",
            description = "longest accepted line, in UTF-16 units (default: ${DEFAULT-VALUE})")
    int maxLineChars;

    @Override
    public Integer call() throws IOException {
        EncodeOptions options = encodeOptions();
        WordPieceTokenizer tokenizer = loadTokenizer();
        PrintStream err = System.err;
        Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        InputStream in = System.in;
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE));
        LineReader lines = new LineReader(reader, maxLineChars);
        try {
            boolean warnedReplacement = false;
            for (long lineNumber = 1; ; lineNumber++) {
                String line = lines.next();
                if (line == null) {
                    break;
                }
                if (lines.tooLong()) {
                    out.flush();
                    err.println("bert tokenize: line " + lineNumber + " is longer than " + maxLineChars
                            + " characters (--max-line-chars); stopping");
                    return 1;
                }
                if (!warnedReplacement && line.indexOf('\uFFFD') >= 0) {
                    err.println("bert tokenize: line " + lineNumber + " contains U+FFFD (invalid UTF-8 is replaced "
                            + "by it); the tokenizer drops it");
                    warnedReplacement = true;
                }
                Encoding encoding;
                try {
                    encoding = encodeLine(tokenizer, line, options);
                } catch (IllegalArgumentException e) {
                    out.flush();
                    err.println("bert tokenize: line " + lineNumber + ": " + e.getMessage());
                    return 1;
                }
                writeLine(out, encoding);
            }
        } finally {
            out.flush();
        }
        return 0;
    }

    private Encoding encodeLine(WordPieceTokenizer tokenizer, String line, EncodeOptions options) {
        if (!pair) {
            return tokenizer.encode(line, null, options);
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
            throw new IllegalArgumentException("--pair needs two texts separated by a tab, found none");
        }
        return tokenizer.encode(line.substring(0, tab), line.substring(tab + 1), options);
    }

    private EncodeOptions encodeOptions() {
        try {
            Truncation strategy = Truncation.NONE;
            if (truncation != null) {
                strategy = Truncation.valueOf(truncation.toUpperCase(Locale.ROOT));
            } else if (maxLength > 0) {
                strategy = Truncation.LONGEST_FIRST;
            }
            EncodeOptions options = new EncodeOptions(maxLength, strategy, stride, pad, true);
            if (strategy != Truncation.NONE) {
                int specials = pair ? 3 : 2;
                int room = maxLength - specials;
                if (room <= 0) {
                    throw new IllegalArgumentException("--max-length " + maxLength + " leaves no room for text beside "
                            + specials + " special tokens");
                }
                if (stride >= room) {
                    throw new IllegalArgumentException("--stride " + stride + " leaves no room: a window holds "
                            + room + " text tokens, so the stride must be smaller");
                }
            }
            return options;
        } catch (IllegalArgumentException e) {
            String message = truncation != null && e.getMessage().startsWith("No enum constant")
                    ? "--truncation must be longest_first, only_first or only_second, not '" + truncation + "'"
                    : e.getMessage();
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private WordPieceTokenizer loadTokenizer() throws IOException {
        if (source.vocab != null) {
            if (!Files.isRegularFile(source.vocab)) {
                throw new ParameterException(spec.commandLine(), "--vocab " + source.vocab + " is not a file");
            }
            if (source.vocab.getFileName().toString().endsWith(".json")) {
                return WordPieceTokenizer.fromTokenizerJson(source.vocab);
            }
            return WordPieceTokenizer.fromVocab(source.vocab,
                    cased ? TokenizerOptions.cased() : TokenizerOptions.uncased());
        }
        Path dir = Path.of(source.model);
        if (Files.isDirectory(dir)) {
            // Only the tokenizer files are needed; the weights need not be there.
            return WordPieceTokenizer.load(dir);
        }
        if (ModelRegistry.knownNames().contains(source.model)) {
            return WordPieceTokenizer.load(ModelRegistry.defaults().resolve(source.model));
        }
        throw new ParameterException(spec.commandLine(), "--model " + source.model + " is neither a model directory "
                + "nor a known model name (" + String.join(", ", ModelRegistry.knownNames()) + ")");
    }

    /** One encoding as a JSON object, or, when it overflowed, an array of it and its overflow windows. */
    static void writeLine(Writer out, Encoding encoding) throws IOException {
        List<Encoding> windows = encoding.overflowing();
        if (windows.isEmpty()) {
            writeObject(out, encoding);
        } else {
            out.write('[');
            writeObject(out, encoding);
            for (Encoding w : windows) {
                out.write(',');
                writeObject(out, w);
            }
            out.write(']');
        }
        out.write('\n');
    }

    private static void writeObject(Writer out, Encoding e) throws IOException {
        out.write("{\"ids\":");
        writeInts(out, e.ids());
        out.write(",\"type_ids\":");
        writeInts(out, e.typeIds());
        out.write(",\"tokens\":[");
        String[] tokens = e.tokens();
        for (int i = 0; i < tokens.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            writeString(out, tokens[i]);
        }
        out.write("],\"offsets\":[");
        int[] starts = e.offsetStart();
        int[] ends = e.offsetEnd();
        for (int i = 0; i < starts.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            if (starts[i] < 0) {
                out.write("null");
            } else {
                out.write('[');
                out.write(Integer.toString(starts[i]));
                out.write(',');
                out.write(Integer.toString(ends[i]));
                out.write(']');
            }
        }
        out.write("]}");
    }

    private static void writeInts(Writer out, int[] values) throws IOException {
        out.write('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(Integer.toString(values[i]));
        }
        out.write(']');
    }

    /** A JSON string literal; control characters and unpaired surrogates are escaped. */
    static void writeString(Writer out, String s) throws IOException {
        out.write('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.write('\\');
                out.write(c);
            } else if (c < 0x20 || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                out.write(String.format("\\u%04x", (int) c));
            } else {
                out.write(c);
            }
        }
        out.write('"');
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c)
                ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

    /**
     * Reads lines ended by {@code \n} (a preceding {@code \r} is dropped) while holding at most {@code maxChars} of
     * one line: the rest of a longer line is skipped, and {@link #tooLong()} reports it.
     */
    static final class LineReader {
        private final Reader in;
        private final int maxChars;
        private final char[] buffer = new char[1 << 16];
        private int position;
        private int limit;
        private boolean tooLong;
        private final StringBuilder line = new StringBuilder();

        LineReader(Reader in, int maxChars) {
            this.in = in;
            this.maxChars = maxChars;
        }

        /** The next line, or null at the end of input. */
        String next() throws IOException {
            line.setLength(0);
            tooLong = false;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer, 0, buffer.length);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return any ? finish() : null;
                    }
                }
                any = true;
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                append(start, position);
                if (position < limit) {
                    position++; // the newline
                    return finish();
                }
            }
        }

        boolean tooLong() {
            return tooLong;
        }

        private void append(int from, int to) {
            int room = maxChars + 1 - line.length(); // one extra for a possible trailing \r
            if (to - from > room) {
                line.append(buffer, from, Math.max(0, room));
                tooLong = true;
            } else {
                line.append(buffer, from, to - from);
            }
        }

        private String finish() {
            int n = line.length();
            if (n > 0 && line.charAt(n - 1) == '\r') {
                line.setLength(n - 1);
            }
            if (line.length() > maxChars) {
                tooLong = true;
            }
            return tooLong ? "" : line.toString();
        }
    }
}
