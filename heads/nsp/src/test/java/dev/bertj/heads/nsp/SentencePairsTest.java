package dev.bertj.heads.nsp;

import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Segment pairs drawn from a corpus as BERT's pre-training data does. Every sentence of the synthetic corpus is
 * "dD sS w ...", so a pair's segments say which document and sentences they came from.
 */
class SentencePairsTest {

    static final int DOCS = 40;

    @TempDir
    Path tmp;

    private Path corpus() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int d = 0; d < DOCS; d++) {
            for (int s = 0; s < 12 + d % 7; s++) {
                text.append("d").append(d).append(" s").append(s).append(" w".repeat(3 + (d * 7 + s * 3) % 9)).append('\n');
            }
            text.append('\n');
        }
        Path file = tmp.resolve("corpus.txt");
        Files.writeString(file, text);
        return file;
    }

    private static WordPieceTokenizer tokenizer() {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "w"));
        for (int i = 0; i < 64; i++) {
            vocab.add("d" + i);
            vocab.add("s" + i);
        }
        return WordPieceTokenizer.of(Vocabulary.of(vocab), TokenizerOptions.uncased());
    }

    /** (document, sentence) of each sentence of a segment, in order. */
    private static List<int[]> sentences(String segment) {
        List<int[]> out = new ArrayList<>();
        String[] words = segment.split(" ");
        for (int i = 0; i < words.length; i++) {
            if (words[i].startsWith("d")) {
                out.add(new int[] {Integer.parseInt(words[i].substring(1)), Integer.parseInt(words[i + 1].substring(1))});
            }
        }
        return out;
    }

    @Test
    void segmentsAreContiguousBalancedFromOtherDocumentsWhenNotNextAndWithinTheLengthBudget() throws Exception {
        Path file = corpus();
        WordPieceTokenizer tok = tokenizer();
        int maxTokens = 48;
        List<SentencePair> pairs = SentencePairs.segmentsFromCorpus(file, tok, maxTokens, 0.1, 42, 100_000);
        assertThat(pairs).hasSizeGreaterThan(100);
        int isNext = 0;
        Set<Integer> documentsOfA = new HashSet<>();
        for (SentencePair p : pairs) {
            List<int[]> a = sentences(p.a());
            List<int[]> b = sentences(p.b());
            assertThat(a).isNotEmpty();
            assertThat(b).isNotEmpty();
            for (List<int[]> segment : List.of(a, b)) {
                for (int i = 1; i < segment.size(); i++) {
                    assertThat(segment.get(i)[0]).isEqualTo(segment.get(0)[0]);
                    assertThat(segment.get(i)[1]).isEqualTo(segment.get(i - 1)[1] + 1);
                }
            }
            int[] lastOfA = a.get(a.size() - 1);
            if (p.isNext()) {
                isNext++;
                assertThat(b.get(0)).as("IsNext: B continues A").containsExactly(lastOfA[0], lastOfA[1] + 1);
                // A chunk is filled up to the budget at a sentence boundary: the pair fits unless one sentence is longer.
                int tokens = tok.tokenize(p.a()).size() + tok.tokenize(p.b()).size();
                assertThat(tokens).isLessThanOrEqualTo(maxTokens - 3 + 16);
            } else {
                assertThat(b.get(0)[0]).as("NotNext: B from another document").isNotEqualTo(lastOfA[0]);
            }
            documentsOfA.add(a.get(0)[0]);
        }
        assertThat((double) isNext / pairs.size()).isBetween(0.44, 0.56);
        assertThat(documentsOfA).hasSize(DOCS);
    }

    @Test
    void aCapTakesPairsFromEveryDocumentAndTheSameSeedGivesTheSamePairs() throws Exception {
        Path file = corpus();
        List<SentencePair> capped = SentencePairs.segmentsFromCorpus(file, tokenizer(), 48, 0.1, 7, DOCS);
        Set<Integer> documents = new HashSet<>();
        for (SentencePair p : capped) {
            documents.add(sentences(p.a()).get(0)[0]);
        }
        assertThat(documents).hasSize(DOCS);
        assertThat(SentencePairs.segmentsFromCorpus(file, tokenizer(), 48, 0.1, 7, DOCS)).isEqualTo(capped);
        assertThat(SentencePairs.segmentsFromCorpus(file, tokenizer(), 48, 0.1, 8, DOCS)).isNotEqualTo(capped);
    }
}
