package dev.bertj.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The tokenizer API under hostile input: any UTF-16 string (lone and reversed surrogates, NUL and control
 * characters, noncharacters, combining marks, CJK, special tokens in text), strings up to 10^6 characters, single
 * texts and pairs, and any option values (negative, zero, tiny, huge maxLength; any stride; every truncation; padding;
 * no special tokens). Either options are refused with an IllegalArgumentException that says what is wrong, or the
 * encoding is well formed: parallel arrays of one length, ids inside the vocabulary, the length limit kept, offsets
 * inside the text they point into, overflow windows well formed too, and the same answer every time.
 * (WordPiecePropertyTest checks the answers themselves against Hugging Face's tokenizer.)
 */
class HostileInputPropertyTest {

    private static final WordPieceTokenizer UNCASED = tokenizer(TokenizerOptions.uncased());
    private static final WordPieceTokenizer CASED = tokenizer(TokenizerOptions.cased());

    /** A small vocabulary with words, pieces, single characters and continuation characters, as BERT's has. */
    private static WordPieceTokenizer tokenizer(TokenizerOptions options) {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(List.of("the", "cat", "sat", "on", "mat", "paris", "is", "un", "##able", "##s", "##ing", "play",
                "The", "Cat", "é", "ß", "中", "文", "😀", ".", ",", "?", "!", "'", "-", "[", "]"));
        for (char c = 'a'; c <= 'z'; c++) {
            vocab.add(String.valueOf(c));
            vocab.add("##" + c);
        }
        for (char c = '0'; c <= '9'; c++) {
            vocab.add(String.valueOf(c));
            vocab.add("##" + c);
        }
        return WordPieceTokenizer.of(Vocabulary.of(vocab), options);
    }

    @Property(tries = 1500)
    void anyTextsAndAnyOptionsGiveAWellFormedEncodingOrAClearRefusal(
            @ForAll("texts") String a, @ForAll("maybeTexts") String b, @ForAll("settings") List<Object> settings,
            @ForAll boolean specials, @ForAll boolean cased) {
        WordPieceTokenizer tokenizer = cased ? CASED : UNCASED;
        int maxLength = (Integer) settings.get(0);
        Truncation truncation = (Truncation) settings.get(1);
        int stride = (Integer) settings.get(2);
        boolean pad = (Boolean) settings.get(3);
        EncodeOptions options;
        try {
            options = new EncodeOptions(maxLength, truncation, stride, pad, specials);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            Statistics.collect("options refused");
            return;
        }
        Encoding encoding;
        try {
            encoding = tokenizer.encode(a, b, options);
        } catch (IllegalArgumentException e) {
            // Some windows cannot be made (a stride that does not fit what truncation leaves): said, not crashed.
            assertThat(e.getMessage()).as(options.toString()).isNotBlank();
            Statistics.collect("encoding refused");
            return;
        }
        Statistics.collect(encoding.overflowing().isEmpty() ? "encoded" : "encoded with overflow windows");
        wellFormed(tokenizer, encoding, a, b, options, true);
        for (Encoding window : encoding.overflowing()) {
            // A pair's window may exceed maxLength where truncation left one text no tokens (as in Hugging Face,
            // which WordPiecePropertyTest compares with): its whole overflow is paired with the other text.
            wellFormed(tokenizer, window, a, b, options, b == null);
        }
        Encoding again = tokenizer.encode(a, b, options);
        assertThat(again.ids()).isEqualTo(encoding.ids());
        assertThat(again.overflowing()).hasSameSizeAs(encoding.overflowing());
        if (b == null) {
            assertThat(tokenizer.encodeBatch(List.of(a, a), options)).allSatisfy(e ->
                    assertThat(e.ids()).isEqualTo(encoding.ids()));
        }
    }

    /** Texts up to 10^6 characters, with and without truncation into windows: well formed, and in linear time. */
    @Property(tries = 12)
    void hugeTextsAreEncodedWhole(@ForAll("hugeTexts") String text, @ForAll boolean windows) {
        EncodeOptions options = windows ? new EncodeOptions(512, Truncation.LONGEST_FIRST, 128, false, true)
                : EncodeOptions.DEFAULT;
        long t0 = System.nanoTime();
        Encoding encoding = UNCASED.encode(text, null, options);
        double seconds = (System.nanoTime() - t0) / 1e9;
        wellFormed(UNCASED, encoding, text, null, options, true);
        if (windows) {
            for (Encoding w : encoding.overflowing()) {
                wellFormed(UNCASED, w, text, null, options, true);
            }
        }
        assertThat(seconds).as(text.length() + " characters").isLessThan(30);
    }

    private static void wellFormed(WordPieceTokenizer tokenizer, Encoding e, String a, String b,
                                   EncodeOptions options, boolean withinMaxLength) {
        String shown = options + " a=" + abbreviate(a) + " b=" + abbreviate(b);
        int n = e.length();
        for (int[] parallel : List.of(e.ids(), e.typeIds(), e.attentionMask(), e.specialTokensMask(), e.offsetStart(),
                e.offsetEnd(), e.sequenceIds(), e.wordIds())) {
            assertThat(parallel).as(shown).hasSize(n);
        }
        assertThat(e.tokens()).as(shown).hasSize(n);
        int vocabSize = tokenizer.vocabulary().size();
        assertThat(Arrays.stream(e.ids()).allMatch(id -> id >= 0 && id < vocabSize)).as(shown + " ids in the vocabulary")
                .isTrue();
        assertThat(Arrays.stream(e.attentionMask()).allMatch(m -> m == 0 || m == 1)).as(shown + " mask").isTrue();
        if (options.truncation() != Truncation.NONE && withinMaxLength) {
            assertThat(n).as(shown).isLessThanOrEqualTo(options.maxLength());
        }
        if (options.padToMaxLength()) {
            assertThat(n).as(shown).isGreaterThanOrEqualTo(options.maxLength());
        }
        int[] seq = e.sequenceIds();
        int[] start = e.offsetStart();
        int[] end = e.offsetEnd();
        for (int i = 0; i < n; i++) {
            assertThat(seq[i]).as(shown).isBetween(-1, b == null ? 0 : 1);
            if (seq[i] >= 0) {
                String source = seq[i] == 0 ? a : b;
                assertThat(start[i]).as(shown + " token " + i).isBetween(0, end[i]);
                assertThat(end[i]).as(shown + " token " + i).isLessThanOrEqualTo(source.length());
            }
        }
        if (!options.addSpecialTokens()) {
            // Without special tokens, only padding stands outside the texts.
            String[] tokens = e.tokens();
            for (int i = 0; i < n; i++) {
                if (seq[i] < 0) {
                    assertThat(tokens[i]).as(shown + " token " + i).isEqualTo("[PAD]");
                }
            }
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 120 ? s.substring(0, 120) + "... (" + s.length() + " chars)" : s;
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').ofMinLength(1)
                        .ofMaxLength(12)),
                Tuple.of(3, Arbitraries.of(" ", "  ", "\t", "\n", "\r\n", "\u00A0", "\u3000", "\u2028", "\u200B")),
                Tuple.of(4, Arbitraries.strings().all().ofMaxLength(6)), // any char: lone surrogates included
                Tuple.of(2, Arbitraries.of("\uD800", "\uDBFF", "\uDC00", "\uDFFF", "\uDC00\uD800", "\uD83D",
                        "\uD83D\uDE00", "\u0000", "\u0001", "\u007F", "\uFFFE", "\uFFFF", "\uFEFF", "\u202E",
                        "\u0301\u0301\u0301", "e\u0301", "\u0130", "ﬁ", "\u1E9E")),
                Tuple.of(2, Arbitraries.of("[MASK]", "[SEP]", "[CLS]", "[PAD]", "[UNK]", "[mask]", "[MASK", "##",
                        "unable", "playing", "中文", "😀😀")),
                Tuple.of(1, Arbitraries.strings().withCharRange('a', 'c').ofMinLength(90).ofMaxLength(300)));
        return piece.list().ofMaxSize(30).map(p -> String.join("", p));
    }

    @Provide
    Arbitrary<String> maybeTexts() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just((String) null)), Tuple.of(2, texts()));
    }

    /**
     * maxLength, truncation, stride, pad: a third drawn independently (mostly refused combinations), the rest
     * consistent with each other (so that most tries reach the encoder with small windows and strides).
     */
    @Provide
    Arbitrary<List<Object>> settings() {
        Arbitrary<List<Object>> independent = net.jqwik.api.Combinators.combine(lengths(),
                Arbitraries.of(Truncation.class), strides(), Arbitraries.of(true, false))
                .as((m, t, st, p) -> List.<Object>of(m, t, st, p));
        Arbitrary<List<Object>> consistent = Arbitraries.integers().between(1, 40).flatMap(m -> net.jqwik.api.Combinators
                .combine(Arbitraries.of(Truncation.class), Arbitraries.integers().between(0, m - 1),
                        Arbitraries.of(true, false))
                .as((t, st, p) -> List.<Object>of(m, t, t == Truncation.NONE ? 0 : st, p)));
        return Arbitraries.frequencyOf(Tuple.of(1, independent), Tuple.of(2, consistent));
    }

    @Provide
    Arbitrary<Integer> lengths() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1_000_000_000)),
                Tuple.of(2, Arbitraries.of(0)),
                Tuple.of(6, Arbitraries.integers().between(1, 40)));
    }

    @Provide
    Arbitrary<Integer> strides() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(-1, Integer.MIN_VALUE, Integer.MAX_VALUE)),
                Tuple.of(3, Arbitraries.of(0)),
                Tuple.of(4, Arbitraries.integers().between(1, 45)));
    }

    @Provide
    Arbitrary<String> hugeTexts() {
        return Arbitraries.of(1_000, 100_000, 1_000_000).flatMap(n -> texts().filter(t -> !t.isEmpty())
                .map(t -> t.repeat(n / t.length() + 1).substring(0, n)));
    }
}
