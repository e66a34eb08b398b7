package dev.bertj.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's contracts: loading, options, errors, thread safety. Equality with HF is WordPieceParityTest's job. */
class WordPieceTokenizerTest {

    @TempDir
    Path dir;

    /** [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 then words. */
    private static final List<String> SMALL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff",
            "##able", "aff", "##a", "play", "##ing", "the", "cafe", "!", "[", "]", "mask", "##s");

    private static WordPieceTokenizer small() {
        return WordPieceTokenizer.of(Vocabulary.of(SMALL), TokenizerOptions.uncased());
    }

    private Path bertTokenizerJson() throws IOException {
        Path json = dir.resolve("tokenizer.json");
        try (InputStream in = getClass().getResourceAsStream(HfReference.TOKENIZER_RESOURCE)) {
            Files.copy(in, json);
        }
        return json;
    }

    @Test
    void greedyLongestMatchFirst() {
        WordPieceTokenizer t = small();
        assertThat(t.tokenize("unaffable playing")).containsExactly("un", "##aff", "##able", "play", "##ing");
        // "affa": longest first piece "aff", then "##a".
        assertThat(t.tokenize("AFFA")).containsExactly("aff", "##a");
        // A word with an unmatchable rest is one [UNK] over the whole word.
        assertThat(t.tokenize("unx the")).containsExactly("[UNK]", "the");
        Encoding e = t.encode("unx the");
        assertThat(e.offsetStart()).containsExactly(-1, 0, 4, -1);
        assertThat(e.offsetEnd()).containsExactly(-1, 3, 7, -1);
    }

    @Test
    void specialTokensInTheTextAreKeptWholeButOnlyInTheirExactSpelling() {
        WordPieceTokenizer t = small();
        Encoding e = t.encode("the [MASK]s [mask]");
        // "s" after [MASK] starts a new word (and "s" alone is not in the vocabulary, only "##s"); the in-text
        // [MASK] has offsets and a word id like any word, and is not in the special tokens mask.
        assertThat(e.tokens()).containsExactly("[CLS]", "the", "[MASK]", "[UNK]", "[", "mask", "]", "[SEP]");
        assertThat(e.wordIds()).containsExactly(-1, 0, 1, 2, 3, 4, 5, -1);
        assertThat(e.offsetStart()[2]).isEqualTo(4);
        assertThat(e.offsetEnd()[2]).isEqualTo(10);
        assertThat(e.specialTokensMask()).containsExactly(1, 0, 0, 0, 0, 0, 0, 1);
    }

    @Test
    void wordsLongerThanTheLimitAreUnknown() {
        WordPieceTokenizer t = WordPieceTokenizer.of(Vocabulary.of(SMALL),
                new TokenizerOptions(true, null, true, true, 4));
        assertThat(t.tokenize("play playi")).containsExactly("play", "[UNK]");
        // The limit counts normalized code points: "cafe\u0301" is 5 UTF-16 units but strips to 4 characters.
        assertThat(t.tokenize("cafe\u0301")).containsExactly("cafe");
    }

    @Test
    void offsetsAreUtf16IndicesIntoTheOriginalText() {
        WordPieceTokenizer t = small();
        String text = "\uD83D\uDE00 Café\u200B! playing";
        Encoding e = t.encode(text);
        assertThat(e.tokens()).containsExactly("[CLS]", "[UNK]", "cafe", "!", "play", "##ing", "[SEP]");
        int[] s = e.offsetStart();
        int[] end = e.offsetEnd();
        assertThat(text.substring(s[1], end[1])).isEqualTo("\uD83D\uDE00");
        // The removed zero-width space after "Café" is not part of any token.
        assertThat(text.substring(s[2], end[2])).isEqualTo("Café");
        assertThat(text.substring(s[3], end[3])).isEqualTo("!");
        assertThat(text.substring(s[5], end[5])).isEqualTo("ing");
    }

    @Test
    void pairsTruncationWindowsAndPadding() {
        WordPieceTokenizer t = small();
        Encoding e = t.encode("the cafe", "playing the", EncodeOptions.truncate(7).withPadToMaxLength(true));
        assertThat(e.tokens()).containsExactly("[CLS]", "the", "cafe", "[SEP]", "play", "##ing", "[SEP]");
        assertThat(e.typeIds()).containsExactly(0, 0, 0, 0, 1, 1, 1);
        assertThat(e.sequenceIds()).containsExactly(-1, 0, 0, -1, 1, 1, -1);
        assertThat(e.overflowing()).hasSize(1);
        Encoding window = e.overflowing().get(0);
        assertThat(window.tokens()).containsExactly("[CLS]", "the", "cafe", "[SEP]", "the", "[SEP]", "[PAD]");
        assertThat(window.attentionMask()).containsExactly(1, 1, 1, 1, 1, 1, 0);
        assertThat(window.wordIds()).containsExactly(-1, 0, 1, -1, 1, -1, -1);
    }

    @Test
    void impossibleSettingsAreRejectedWithAClearMessage() {
        WordPieceTokenizer t = small();
        assertThatThrownBy(() -> t.encode("the the the", null, EncodeOptions.truncate(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaves no room for text");
        assertThatThrownBy(() -> t.encode("the", "the", EncodeOptions.truncate(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 special tokens");
        assertThatThrownBy(() -> t.encode("the the the", null, EncodeOptions.truncate(5).withStride(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride 3 leaves no room");
        // A stride that fits the pair's budget but not the shorter half that longest-first keeps of one text.
        assertThatThrownBy(() -> t.encode("the the the the", "the the the the", EncodeOptions.truncate(7).withStride(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keeps 2 tokens of the first text");
        assertThatThrownBy(() -> t.encode("the the the", null,
                EncodeOptions.truncate(4).withTruncation(Truncation.ONLY_SECOND)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a second text");
        assertThatThrownBy(() -> t.encode("the", "the the the the",
                EncodeOptions.truncate(5).withTruncation(Truncation.ONLY_FIRST)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot truncate only the first");
        assertThatThrownBy(() -> EncodeOptions.truncate(4).withStride(4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be smaller than maxLength");
        assertThatThrownBy(() -> EncodeOptions.DEFAULT.withStride(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride only applies");
        assertThatThrownBy(() -> EncodeOptions.DEFAULT.withPadToMaxLength(true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a maxLength");
        assertThatThrownBy(() -> new EncodeOptions(-1, Truncation.NONE, 0, false, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenizerOptions(true, null, true, true, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodingArraysAreCopies() {
        Encoding e = small().encode("the cafe");
        e.ids()[1] = 99;
        e.offsetStart()[1] = 99;
        assertThat(e.ids()[1]).isEqualTo(12);
        assertThat(e.offsetStart()[1]).isZero();
        assertThat(e.length()).isEqualTo(4);
    }

    @Test
    void decodeJoinsPiecesAndCanSkipSpecialTokens() {
        WordPieceTokenizer t = small();
        int[] ids = t.encode("unaffable [MASK] cafe!").ids();
        assertThat(t.decode(ids)).isEqualTo("[CLS] unaffable [MASK] cafe! [SEP]");
        assertThat(t.decode(ids, true)).isEqualTo("unaffable cafe!");
        assertThat(t.decode(new int[] {12, 999, -1, 13})).isEqualTo("the cafe");
    }

    @Test
    void vocabularyReadsAndWritesVocabTxt() throws IOException {
        Path file = dir.resolve("vocab.txt");
        Files.writeString(file, "[PAD]\r\n[UNK]\nx\n[CLS]\n[SEP]\nx\n##y\n");
        Vocabulary v = Vocabulary.read(file);
        assertThat(v.size()).isEqualTo(7);
        // A repeated token keeps its last line, as HF's load_vocab; its first line's id names nothing.
        assertThat(v.id("x")).isEqualTo(5);
        assertThat(v.token(5)).isEqualTo("x");
        assertThat(v.contains(2)).isFalse();
        assertThatThrownBy(() -> v.token(2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(v.id("missing")).isEqualTo(-1);
        assertThat(v.clsId()).isEqualTo(3);
        assertThat(v.maskId()).isEqualTo(-1);
        assertThatThrownBy(() -> v.token(7)).isInstanceOf(IllegalArgumentException.class);
        Path copy = dir.resolve("copy.txt");
        Vocabulary.of(SMALL).write(copy);
        assertThat(Files.readAllLines(copy)).containsExactlyElementsOf(SMALL);
        Files.writeString(file, "");
        assertThatThrownBy(() -> Vocabulary.read(file)).isInstanceOf(IOException.class).hasMessageContaining("empty");
    }

    @Test
    void loadsAModelDirectoryWithItsConfig() throws IOException {
        Path json = bertTokenizerJson();
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.copy(json, model.resolve("tokenizer.json"));
        assertThat(WordPieceTokenizer.load(model).tokenize("Café")).containsExactly("cafe");
        Files.writeString(model.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
        WordPieceTokenizer cased = WordPieceTokenizer.load(model);
        assertThat(cased.options().lowercase()).isFalse();
        assertThat(cased.options().effectiveStripAccents()).isFalse();
        assertThat(cased.tokenize("Café")).containsExactly("[UNK]");

        Path vocabOnly = Files.createDirectories(dir.resolve("vocab-only"));
        WordPieceTokenizer.fromTokenizerJson(json).vocabulary().write(vocabOnly.resolve("vocab.txt"));
        WordPieceTokenizer fromVocab = WordPieceTokenizer.load(vocabOnly);
        assertThat(fromVocab.options()).isEqualTo(TokenizerOptions.uncased());
        assertThat(fromVocab.encode("Hello [MASK]!").ids()).containsExactly(101, 7592, 103, 999, 102);

        assertThatThrownBy(() -> WordPieceTokenizer.load(dir.resolve("nothing")))
                .isInstanceOf(IOException.class).hasMessageContaining("not a directory");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> WordPieceTokenizer.load(empty))
                .isInstanceOf(IOException.class).hasMessageContaining("neither tokenizer.json nor vocab.txt");
    }

    @Test
    void rejectsTokenizerJsonItWouldNotReproduce() throws IOException {
        Path json = bertTokenizerJson();
        assertRejected(json, root -> ((ObjectNode) root.get("model")).put("type", "BPE"), "only WordPiece");
        assertRejected(json, root -> ((ObjectNode) root.get("added_tokens").get(4)).put("lstrip", true), "lstrip");
        assertRejected(json, root -> ((ObjectNode) root.get("added_tokens").get(4)).put("normalized", true),
                "normalized: true");
        assertRejected(json, root -> ((ObjectNode) root.get("pre_tokenizer")).put("type", "Whitespace"),
                "BertPreTokenizer");
        assertRejected(json, root -> ((ObjectNode) root.get("normalizer")).put("type", "Lowercase"),
                "BertNormalizer");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model\": ");
        assertThatThrownBy(() -> WordPieceTokenizer.fromTokenizerJson(broken))
                .isInstanceOf(IOException.class).hasMessageContaining("not valid JSON");
    }

    private void assertRejected(Path json, java.util.function.Consumer<JsonNode> edit, String message)
            throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root = mapper.readTree(json.toFile());
        edit.accept(root);
        Path file = dir.resolve("edited.json");
        mapper.writeValue(file.toFile(), root);
        assertThatThrownBy(() -> WordPieceTokenizer.fromTokenizerJson(file))
                .isInstanceOf(IOException.class).hasMessageContaining(message);
    }

    @Test
    void concurrentCallersGetTheSameResultsAsOneThread() throws Exception {
        WordPieceTokenizer t = WordPieceTokenizer.fromTokenizerJson(bertTokenizerJson());
        List<String> texts = TestTexts.squadTexts().subList(0, 2000);
        List<int[]> expected = new ArrayList<>();
        for (String text : texts) {
            expected.add(t.encode(text).ids());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int thread = 0; thread < 4; thread++) {
                int offset = thread * 97;
                results.add(pool.submit(() -> {
                    for (int k = 0; k < texts.size(); k++) {
                        int i = (k + offset) % texts.size();
                        if (!java.util.Arrays.equals(t.encode(texts.get(i)).ids(), expected.get(i))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        List<Encoding> batch = t.encodeBatch(texts, EncodeOptions.DEFAULT);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(batch.get(i).ids()).containsExactly(expected.get(i));
        }
    }

    @Test
    void loneSurrogatesAreTreatedAsReplacementCharacters() {
        WordPieceTokenizer t = small();
        // U+FFFD is removed by text clean-up, so a lone surrogate vanishes like the replacement character would.
        assertThat(t.tokenize("the\uD800cafe")).containsExactly("[UNK]");
        assertThat(t.tokenize("the \uDC00 cafe")).containsExactly("the", "cafe");
        assertThat(t.tokenize("the \uFFFD cafe")).containsExactly("the", "cafe");
    }

    @Test
    void aHugeTextNeedsOnlyLinearWork() {
        WordPieceTokenizer t = small();
        String text = "x".repeat(3_000_000);
        Encoding e = t.encode(text);
        assertThat(e.tokens()).containsExactly("[CLS]", "[UNK]", "[SEP]");
        assertThat(e.offsetEnd()[1]).isEqualTo(3_000_000);
        assertThat(t.encode("the ".repeat(500_000)).length()).isEqualTo(500_002);
        // Windows of 2 tokens advancing by 1 would repeat every token: refused instead of taking the heap.
        assertThatThrownBy(() -> t.encode("the ".repeat(9_000_000), null, EncodeOptions.truncate(4).withStride(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("use a larger maxLength");
        assertThat(t.encode("the ".repeat(100_000), null, EncodeOptions.truncate(130).withStride(64))
                .overflowing()).hasSize(1561);
    }
}
