package dev.bertj.heads.translation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expected texts are the Multi30k-style sentences the pieces came from (what BERT's pre-tokenizer plus WordPiece
 * make of them, written out by hand).
 */
class DetokenizerTest {

    private static String detok(String spaceSeparatedPieces) {
        return Detokenizer.detokenize(List.of(spaceSeparatedPieces.split(" ")));
    }

    @Test
    void joinsContinuationPiecesAndGluesClosingPunctuation() {
        assertThat(detok("Ein Mann mit einem orange ##farbenen Hut , der etwas an ##starrt ."))
                .isEqualTo("Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.");
        assertThat(detok("Was ist das ? Nichts !")).isEqualTo("Was ist das? Nichts!");
    }

    @Test
    void hyphenBetweenWordsJoinsBothSidesButNotBeforeAConjunction() {
        assertThat(detok("über saftig - grünes Gras")).isEqualTo("über saftig-grünes Gras");
        assertThat(detok("ein T - Shirt")).isEqualTo("ein T-Shirt");
        assertThat(detok("Baseball - und Fußball ##spieler")).isEqualTo("Baseball- und Fußballspieler");
        // A dash between spaces in the source is an en dash in Multi30k; it stays spaced.
        assertThat(detok("Hund – Katze")).isEqualTo("Hund – Katze");
    }

    @Test
    void quotesBracketsAndNumbers() {
        assertThat(detok("Ein Schild mit der Aufschrift „ Stop “ .")).isEqualTo("Ein Schild mit der Aufschrift „Stop“.");
        assertThat(detok("er sagt \" hallo \" und geht")).isEqualTo("er sagt \"hallo\" und geht");
        assertThat(detok("Ein Mann ( links ) lacht")).isEqualTo("Ein Mann (links) lacht");
        assertThat(detok("um 10 : 30 Uhr , 3 . 5 km")).isEqualTo("um 10:30 Uhr, 3.5 km");
        assertThat(detok("Der 3 . Platz")).isEqualTo("Der 3. Platz");
        assertThat(detok("It ' s Mary ' s dog")).isEqualTo("It's Mary's dog");
    }

    @Test
    void emptyAndLeadingContinuation() {
        assertThat(Detokenizer.detokenize(List.of())).isEmpty();
        assertThat(detok("##en Hund")).isEqualTo("en Hund");
    }
}
