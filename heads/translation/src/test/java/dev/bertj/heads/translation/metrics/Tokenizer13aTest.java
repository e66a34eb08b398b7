package dev.bertj.heads.translation.metrics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Expected strings follow from the four rules of mteval-v13a read by hand (spaces around ASCII symbols except
 * {@code - ' .  ,}; around {@code .} and {@code ,} unless between digits; after a dash that follows a digit),
 * and were confirmed with sacreBLEU 2.6.0's {@code Tokenizer13a}.
 */
class Tokenizer13aTest {

    @Test
    void splitsPunctuationButKeepsApostrophesDecimalsAndWordHyphens() {
        assertThat(Tokenizer13a.tokenize("Hello, world! It's 3.5-4 km (approx.) away."))
                .isEqualTo("Hello , world ! It's 3.5 - 4 km ( approx . ) away .");
        assertThat(Tokenizer13a.tokenize("Ein Boston Terrier läuft über saftig-grünes Gras vor einem weißen Zaun."))
                .isEqualTo("Ein Boston Terrier läuft über saftig-grünes Gras vor einem weißen Zaun .");
    }

    @Test
    void unescapesEntitiesDropsSkippedAndLeavesNonAsciiQuotes() {
        assertThat(Tokenizer13a.tokenize("Baseball- und Fußballspieler „spielen“ um 10:30 Uhr; 1,000 & more &amp; <skipped>x"))
                .isEqualTo("Baseball- und Fußballspieler „spielen“ um 10 : 30 Uhr ; 1,000 & more & x");
    }

    @Test
    void splitsOnPythonWhitespaceIncludingNoBreakSpaces() {
        assertThat(Tokenizer13a.tokenize("a  b\u00a0c\u2007d\te")).isEqualTo("a b c d e");
    }
}
