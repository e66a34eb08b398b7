package dev.bertj.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTrainerTest {

    @TempDir
    Path dir;

    private static List<String> tokensInIdOrder(Vocabulary v) {
        List<String> tokens = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            tokens.add(v.token(id));
        }
        return tokens;
    }

    /** Worked by hand: (a, ##b) occurs 5 times and merges first, then (ab, ##c) twice. */
    @Test
    void mergesTheMostFrequentPairFirst() {
        WordPieceTrainer trainer = new WordPieceTrainer(12, TokenizerOptions.uncased()).withMinFrequency(1);
        Vocabulary v = trainer.train(List.of("ab ab AB", "abc abc"));
        assertThat(tokensInIdOrder(v)).containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
                "a", "b", "c", "##b", "##c", "ab", "abc");
    }

    @Test
    void stopsAtMinFrequencyAndAtVocabSize() {
        List<String> corpus = List.of("ab ab AB", "abc abc");
        Vocabulary rare = new WordPieceTrainer(100, TokenizerOptions.uncased()).withMinFrequency(3).train(corpus);
        assertThat(tokensInIdOrder(rare)).endsWith("##c", "ab").doesNotContain("abc");
        Vocabulary small = new WordPieceTrainer(11, TokenizerOptions.uncased()).withMinFrequency(1).train(corpus);
        assertThat(small.size()).isEqualTo(11);
        assertThat(tokensInIdOrder(small)).endsWith("ab");
    }

    @Test
    void limitAlphabetKeepsTheMostFrequentCharacters() {
        Vocabulary v = new WordPieceTrainer(50, TokenizerOptions.uncased()).withMinFrequency(1).withLimitAlphabet(2)
                .train(List.of("aaaa bbb c"));
        assertThat(v.contains("a")).isTrue();
        assertThat(v.contains("b")).isTrue();
        assertThat(v.contains("c")).isFalse();
        assertThat(v.contains("##c")).isFalse();
    }

    @Test
    void learnsAVocabularyFromSquadThatCoversItsCorpus() {
        List<String> corpus = TestTexts.squadTexts();
        WordPieceTrainer trainer = new WordPieceTrainer(3000, TokenizerOptions.uncased());
        Vocabulary v = trainer.train(corpus);
        assertThat(v.size()).isEqualTo(3000);
        assertThat(tokensInIdOrder(v).subList(0, 5)).containsExactlyElementsOf(WordPieceTrainer.BERT_SPECIAL_TOKENS);
        assertThat(v.clsId()).isEqualTo(2);
        assertThat(v.unkId()).isEqualTo(1);
        // Frequent English words become single tokens.
        assertThat(v.contains("the")).isTrue();
        assertThat(v.contains("##ing")).isTrue();

        // Deterministic: the same corpus gives the same vocabulary.
        assertThat(trainer.train(corpus).asMap()).isEqualTo(v.asMap());

        WordPieceTokenizer tokenizer = WordPieceTokenizer.of(v, TokenizerOptions.uncased());
        long tokens = 0;
        long unknown = 0;
        for (String text : corpus) {
            for (int id : tokenizer.encode(text, null, EncodeOptions.DEFAULT.withAddSpecialTokens(false)).ids()) {
                tokens++;
                unknown += id == v.unkId() ? 1 : 0;
            }
        }
        // Every character of the corpus is in the alphabet, so nothing is unknown; pieces are longer than letters.
        assertThat(unknown).isZero();
        long chars = corpus.stream().mapToLong(String::length).sum();
        assertThat((double) chars / tokens).isGreaterThan(3.0);
    }

    @Test
    void trainsFromFiles() throws IOException {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Files.writeString(a, "ab ab\nAB\n");
        Files.writeString(b, "abc abc\n");
        Vocabulary fromFiles = new WordPieceTrainer(12, TokenizerOptions.uncased()).withMinFrequency(1)
                .trainFiles(List.of(a, b));
        assertThat(tokensInIdOrder(fromFiles)).endsWith("ab", "abc");
        Path vocabTxt = dir.resolve("vocab.txt");
        fromFiles.write(vocabTxt);
        assertThat(Vocabulary.read(vocabTxt).asMap()).isEqualTo(fromFiles.asMap());
    }

    @Test
    void casedTrainingKeepsCase() {
        Vocabulary v = new WordPieceTrainer(40, TokenizerOptions.cased()).withMinFrequency(1)
                .train(List.of("Café Café café"));
        assertThat(v.contains("C")).isTrue();
        assertThat(v.contains("##é")).isTrue();
        assertThat(v.contains("Café")).isTrue();
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> new WordPieceTrainer(5, TokenizerOptions.uncased()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no room");
        assertThatThrownBy(() -> new WordPieceTrainer(100, TokenizerOptions.uncased())
                .withSpecialTokens(List.of("[CLS]", "[SEP]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[UNK]");
        assertThatThrownBy(() -> new WordPieceTrainer(100, TokenizerOptions.uncased()).withMinFrequency(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
