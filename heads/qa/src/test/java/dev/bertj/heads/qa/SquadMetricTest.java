package dev.bertj.heads.qa;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** EM and F1 hand-computed by the rules of SQuAD's official v1.1 evaluate script. */
class SquadMetricTest {

    @Test
    void normalisationFollowsTheOfficialScript() {
        assertThat(SquadMetric.normalize("The Denver Broncos!")).isEqualTo("denver broncos");
        assertThat(SquadMetric.normalize("  An apple a day,\tkeeps\n the doctor away. "))
                .isEqualTo("apple day keeps doctor away");
        // Articles only as whole words; "theater" and "another" stay.
        assertThat(SquadMetric.normalize("the theater, another")).isEqualTo("theater another");
        // Punctuation goes before articles: "the-end" -> "theend"; "a.b" -> "ab".
        assertThat(SquadMetric.normalize("the-end a.b")).isEqualTo("theend ab");
        // Only ASCII punctuation is removed; Unicode word boundaries (Python 3) around an accented word.
        assertThat(SquadMetric.normalize("«the café»")).isEqualTo("« café»");
        // Python's split() also splits on a no-break space.
        assertThat(SquadMetric.normalize("New\u00a0York")).isEqualTo("new york");
    }

    @Test
    void exactMatchAfterNormalisation() {
        assertThat(SquadMetric.exactMatch("Denver Broncos.", "the denver broncos")).isTrue();
        assertThat(SquadMetric.exactMatch("Denver", "Denver Broncos")).isFalse();
    }

    @Test
    void f1IsOverTokenMultisets() {
        // pred {cat, sat}, gold {cat, sat, on, mat}: P = 1, R = 1/2, F1 = 2/3.
        assertThat(SquadMetric.f1("The cat sat", "cat sat on the mat")).isCloseTo(2.0 / 3, within(1e-12));
        // pred {red, red, red}, gold {red}: one shared; P = 1/3, R = 1, F1 = 1/2.
        assertThat(SquadMetric.f1("red red red", "red")).isCloseTo(0.5, within(1e-12));
        // pred {b, c}, gold {a_x... }: nothing shared.
        assertThat(SquadMetric.f1("b c", "d e")).isZero();
        // An empty prediction scores 0 F1 against a non-empty gold, as in v1.1.
        assertThat(SquadMetric.f1("", "denver")).isZero();
        // Only articles: normalises to nothing; v1.1 gives F1 0 even against itself.
        assertThat(SquadMetric.f1("the", "the")).isZero();
        assertThat(SquadMetric.exactMatch("the", "a")).isTrue();
    }

    @Test
    void scoreTakesTheBestGoldAndCountsMissingPredictionsAsWrong() {
        SquadExample q1 = question("1", "Denver Broncos", "the Broncos");
        SquadExample q2 = question("2", "Santa Clara, California", "Levi's Stadium");
        SquadExample q3 = question("3", "February 7, 2016");
        Map<String, String> predictions = new LinkedHashMap<>();
        predictions.put("1", "Broncos");               // EM 0 / 1 -> 1; F1 max(2/3, 1) = 1
        predictions.put("2", "Santa Clara");           // EM 0; F1 vs gold 1: P 1, R 2/3 -> 0.8; vs gold 2: 0
        Map<String, Double> m = SquadMetric.score(List.of(q1, q2, q3), predictions);
        assertThat(m.get("exact_match")).isCloseTo(100.0 / 3, within(1e-9));
        assertThat(m.get("f1")).isCloseTo(100.0 * (1 + 0.8 + 0) / 3, within(1e-9));
        assertThat(m.get("questions")).isEqualTo(3.0);
        assertThat(m.get("answered")).isEqualTo(2.0);
    }

    @Test
    void impossibleQuestionsHaveTheEmptyAnswerAsGold() {
        SquadExample q = new SquadExample("x", "q?", "ctx", List.of(), true);
        Map<String, Double> right = SquadMetric.score(List.of(q), Map.of("x", ""));
        assertThat(right.get("exact_match")).isEqualTo(100.0);
        assertThat(right.get("f1")).isEqualTo(100.0);
        Map<String, Double> wrong = SquadMetric.score(List.of(q), Map.of("x", "ctx"));
        assertThat(wrong.get("exact_match")).isZero();
        assertThat(wrong.get("f1")).isZero();
    }

    @Test
    void predictionsAreWrittenInTheOfficialFormat(@TempDir Path dir) throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("56be4db0acb8001400a502ec", "Denver Broncos");
        p.put("56be4db0acb8001400a502ed", "Carolina \"Panthers\"");
        Path out = dir.resolve("sub/predictions.json");
        SquadMetric.writePredictions(p, out);
        var read = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(out));
        assertThat(read.size()).isEqualTo(2);
        assertThat(read.get("56be4db0acb8001400a502ed").asText()).isEqualTo("Carolina \"Panthers\"");
    }

    private static SquadExample question(String id, String... golds) {
        return new SquadExample(id, "q?", "ctx",
                java.util.Arrays.stream(golds).map(g -> new SquadExample.GoldAnswer(g, 0)).toList(), false);
    }
}
