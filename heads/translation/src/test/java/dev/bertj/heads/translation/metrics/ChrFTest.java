package dev.bertj.heads.translation.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Small cases are derived by hand in their comments. The sentence cases are published values: the two from
 * the Hugging Face {@code chrf} metric card (which calls sacreBLEU), and sacreBLEU's own test/test_chrf.py
 * (beta = 3, with and without eps smoothing); all were re-run with sacreBLEU 2.6.0.
 */
class ChrFTest {

    private final ChrF chrf2 = ChrF.sacreBleuDefault();

    @Test
    void handWorkedEffectiveOrder() {
        // "ab" vs "abc": order 1 P = 2/2, R = 2/3; order 2 P = 1/1, R = 1/2; order 3+ has no hypothesis n-gram.
        // avg P = 1, avg R = 7/12; F2 = 5 P R / (4 P + R) = 35/55.
        assertThat(chrf2.score(List.of("ab"), List.of("abc"))).isCloseTo(100.0 * 35 / 55, within(1e-12));
        // Whitespace is removed before counting: "a b c" scores like "abc".
        assertThat(chrf2.score(List.of("a b c"), List.of("abc"))).isCloseTo(100.0, within(1e-12));
    }

    @Test
    void charactersAreCodePoints() {
        // U+1F600 is one character (two UTF-16 units): orders 1..3 R = 3/4, 2/3, 1/2, P = 1;
        // avg R = 23/36, F2 = 5 R / (4 + R) = 115/167.
        assertThat(chrf2.score(List.of("\uD83D\uDE00ab"), List.of("\uD83D\uDE00abc")))
                .isCloseTo(100.0 * 115 / 167, within(1e-12));
    }

    @Test
    void huggingFaceMetricCardExamples() {
        assertThat(chrf2.score(List.of("The relationship between Obama and Netanyahu is not exactly friendly."),
                List.of("The ties between Obama and Netanyahu are not particularly friendly.")))
                .isCloseTo(61.576379378113785, within(1e-9));
        assertThat(chrf2.score(List.of("The relationship between cats and dogs is not exactly friendly.",
                        "a good bookshop is just a genteel black hole that knows how to read."),
                List.of("The relationship between dogs and cats is not exactly friendly.",
                        "A good bookshop is just a genteel Black Hole that knows how to read.")))
                .isCloseTo(84.64214891738334, within(1e-9));
    }

    @Test
    void sacreBleuTestCasesWithBetaThree() {
        ChrF chrf3 = new ChrF(6, 3, false);
        // "aa" vs "ab": order 1 P = R = 1/2, order 2 P = R = 0: avg 1/4 -> 25.
        assertThat(chrf3.score(List.of("aa"), List.of("ab"))).isCloseTo(25.0, within(1e-9));
        // Corpus statistics are summed before scoring: 1 match of 2 -> 50.
        assertThat(chrf3.score(List.of("a", "b"), List.of("a", "c"))).isCloseTo(50.0, within(1e-9));
        assertThat(chrf3.score(List.of(""), List.of("reference"))).isZero();
        ChrF eps = new ChrF(6, 3, true);
        // eps smoothing averages per-order F over all six orders: F(order 1) = 1/2, the rest ~0 -> 100 * 0.5 / 6.
        assertThat(eps.score(List.of("aa"), List.of("ab"))).isCloseTo(8.3333, within(1e-4));
        assertThat(eps.score(List.of(" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "),
                List.of("Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.")))
                .isCloseTo(64.1302698, within(1e-4));
    }

    @Test
    void germanCorpus() {
        // sacreBLEU 2.6.0: chrF2 = 96.89
        assertThat(chrf2.score(List.of("Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.",
                        "Ein Boston Terrier läuft über saftig - grünes Gras vor einem weißen Zaun."),
                List.of("Ein Mann mit einem orangen Hut, der etwas anstarrt.",
                        "Ein Boston Terrier läuft über saftig-grünes Gras vor einem weißen Zaun.")))
                .isCloseTo(96.89, within(0.005));
    }
}
