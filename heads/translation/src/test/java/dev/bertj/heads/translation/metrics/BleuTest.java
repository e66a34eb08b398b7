package dev.bertj.heads.translation.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Expected values: each small case is worked out by hand in its comment; the larger ones are sacreBLEU's own
 * test expectations (test/test_bleu.py: the README corpus with two reference streams, 48.530827, and the
 * statistics case) and were re-run with sacreBLEU 2.6.0 ({@code sacrebleu.corpus_bleu}), which prints the
 * same numbers.
 */
class BleuTest {

    private static final List<List<String>> README_REFS = List.of(
            List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
            List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));
    private static final List<String> README_HYPS = List.of(
            "The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");

    @Test
    void sacreBleuReadmeCorpusWithTwoReferenceStreams() {
        BleuScore s = Bleu.sacreBleuDefault().scoreMulti(README_HYPS, README_REFS);
        assertThat(s.score()).isCloseTo(48.530827, within(1e-6));
        assertThat(s.sysLen()).isEqualTo(17);
        assertThat(s.refLen()).isEqualTo(18);
        assertThat(s.toString()).isEqualTo(
                "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)");
        // Every order matches somewhere, so smoothing changes nothing.
        assertThat(new Bleu(Bleu.Smoothing.NONE, false).scoreMulti(README_HYPS, README_REFS).score())
                .isCloseTo(48.530827, within(1e-6));
    }

    @Test
    void singleReferenceStream() {
        // sacreBLEU 2.6.0: BLEU = 45.07 70.6/42.9/36.4/37.5 (BP = 1.000 ratio = 1.000 hyp_len = 17 ref_len = 17)
        BleuScore s = Bleu.sacreBleuDefault().score(README_HYPS, README_REFS.get(0));
        assertThat(s.counts()).containsExactly(12, 6, 4, 3);
        assertThat(s.totals()).containsExactly(17, 14, 11, 8);
        double expected = Math.exp((Math.log(1200.0 / 17) + Math.log(600.0 / 14) + Math.log(400.0 / 11)
                + Math.log(300.0 / 8)) / 4);
        assertThat(s.score()).isCloseTo(expected, within(1e-9));
        assertThat(s.score()).isCloseTo(45.07, within(0.005));
    }

    @Test
    void clippedCountsAndBrevityPenalty() {
        // hyp "am I am a character sequence" (6 tokens), ref "I am a symbol string sequence a a" (8 tokens):
        // 1-grams am(2, clipped to 1) I a sequence = 4 of 6; 2-grams "I am" "am a" = 2 of 5; 3-gram "I am a" = 1 of 4;
        // no 4-gram of 3. BP = exp(1 - 8/6).
        BleuScore exp = Bleu.sacreBleuDefault().score(List.of("am I am a character sequence"),
                List.of("I am a symbol string sequence a a"));
        assertThat(exp.counts()).containsExactly(4, 2, 1, 0);
        assertThat(exp.totals()).containsExactly(6, 5, 4, 3);
        assertThat(exp.bp()).isCloseTo(Math.exp(1 - 8.0 / 6), within(1e-12));
        // exp smoothing: the first zero precision becomes 100 / (2 * 3).
        double p = Math.pow((400.0 / 6) * 40 * 25 * (100.0 / 6), 0.25);
        assertThat(exp.score()).isCloseTo(Math.exp(1 - 8.0 / 6) * p, within(1e-9)).isCloseTo(23.26, within(0.005));
        // Without smoothing a zero precision zeroes BLEU.
        assertThat(new Bleu(Bleu.Smoothing.NONE, false).score(List.of("am I am a character sequence"),
                List.of("I am a symbol string sequence a a")).score()).isZero();
    }

    @Test
    void expSmoothingDoublesPerZeroOrder() {
        // "a a a a" vs "a a b": 1-grams 2/4, 2-grams "a a" clipped 1/3, 3-grams 0/2 -> 100/(2*2), 4-grams 0/1 -> 100/(4*1).
        BleuScore s = Bleu.sacreBleuDefault().score(List.of("a a a a"), List.of("a a b"));
        assertThat(s.precisions()).containsExactly(new double[] {50, 100.0 / 3, 25, 25}, within(1e-12));
        assertThat(s.score()).isCloseTo(Math.pow(50 * (100.0 / 3) * 25 * 25, 0.25), within(1e-9))
                .isCloseTo(31.95, within(0.005));
    }

    @Test
    void scoreFromStatistics() {
        // sacreBLEU test_case_scoring: (0.9 * 7/8 * 5/6 * 3/4)^(1/4) = 0.8375922397
        assertThat(Bleu.compute(new int[] {9, 7, 5, 3}, new int[] {10, 8, 6, 4}, 11, 11, Bleu.Smoothing.EXP).score())
                .isCloseTo(83.75922397, within(1e-7));
    }

    @Test
    void tokenisationMattersForHyphensAndPunctuation() {
        // 13a keeps "saftig-grünes" whole, so a detokeniser that writes "saftig - grünes" loses matches.
        // Sentence 1: 11 tokens each side, only orangefarbenen/orangen differ: 10/11, 8/10, 6/9, 4/8.
        // Sentence 2: 14 hyp tokens vs 12 ref; saftig, -, grünes match nothing: 11/14, 9/13, 7/12, 5/11.
        // sacreBLEU 2.6.0: BLEU = 65.32 84.0/73.9/61.9/47.4 (BP = 1.000 ratio = 1.087 hyp_len = 25 ref_len = 23)
        List<String> hyps = List.of("Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.",
                "Ein Boston Terrier läuft über saftig - grünes Gras vor einem weißen Zaun.");
        List<String> refs = List.of("Ein Mann mit einem orangen Hut, der etwas anstarrt.",
                "Ein Boston Terrier läuft über saftig-grünes Gras vor einem weißen Zaun.");
        BleuScore s = Bleu.sacreBleuDefault().score(hyps, refs);
        assertThat(s.sysLen()).isEqualTo(25);
        assertThat(s.refLen()).isEqualTo(23);
        assertThat(s.counts()).containsExactly(21, 17, 13, 9);
        assertThat(s.totals()).containsExactly(25, 23, 21, 19);
        assertThat(s.score()).isCloseTo(65.32, within(0.005));
    }

    @Test
    void emptyHypothesesScoreZeroAndMismatchedStreamsAreRejected() {
        assertThat(Bleu.sacreBleuDefault().scoreMulti(List.of("", "", ""), README_REFS).score()).isZero();
        assertThatThrownBy(() -> Bleu.sacreBleuDefault().score(List.of("a"), List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 segments for 1 hypotheses");
    }
}
