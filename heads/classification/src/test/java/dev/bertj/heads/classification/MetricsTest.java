package dev.bertj.heads.classification;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Accuracy, macro-F1 and confusion counts against hand-computed values. */
class MetricsTest {

    @Test
    void confusionMatrixAccuracyAndMacroF1() {
        // gold:      a a a b b c
        // predicted: a a b b c c
        ConfusionMatrix m = new ConfusionMatrix(List.of("a", "b", "c", "unused"));
        int[][] pairs = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 2}};
        for (int[] p : pairs) {
            m.add(p[0], p[1]);
        }
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(1e-12));
        // a: TP 2, FP 0, FN 1 -> 4/5; b: TP 1, FP 1, FN 1 -> 2/4; c: TP 1, FP 1, FN 0 -> 2/3.
        assertThat(m.f1(0)).isCloseTo(0.8, within(1e-12));
        assertThat(m.f1(1)).isCloseTo(0.5, within(1e-12));
        assertThat(m.f1(2)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.precision(0)).isEqualTo(1.0);
        assertThat(m.recall(0)).isCloseTo(2.0 / 3, within(1e-12));
        // "unused" is neither gold nor predicted: left out of the mean, as scikit-learn does.
        assertThat(m.macroF1()).isCloseTo((0.8 + 0.5 + 2.0 / 3) / 3, within(1e-12));
        var metrics = m.metrics();
        assertThat(metrics.get("confusion/a/b")).isEqualTo(1.0);
        assertThat(metrics.get("confusion/b/c")).isEqualTo(1.0);
        assertThat(metrics.get("confusion/c/a")).isEqualTo(0.0);
        assertThat(metrics.get("examples")).isEqualTo(6.0);
        String table = m.table();
        assertThat(table).contains("gold \\ predicted").contains("macro-F1 0.6556").contains("accuracy 0.6667");
        assertThat(table.lines().filter(l -> l.startsWith("a ")).findFirst().orElseThrow())
                .matches("a\\s+2\\s+1\\s+0\\s+0\\s+1\\.0000\\s+0\\.6667\\s+0\\.8000");
    }

    @Test
    void aLabelPredictedButNeverGoldCountsWithF1Zero() {
        ConfusionMatrix m = new ConfusionMatrix(List.of("x", "y"));
        m.add(0, 0);
        m.add(0, 1);
        // x: TP 1, FN 1 -> 2/3; y: FP 1 -> 0.
        assertThat(m.macroF1()).isCloseTo((2.0 / 3) / 2, within(1e-12));
    }

    @Test
    void multiLabelScores() {
        MultiLabelScores s = new MultiLabelScores(List.of("red", "sky", "sea"));
        s.add(new boolean[] {true, true, false}, new boolean[] {true, true, false});   // exact
        s.add(new boolean[] {true, false, false}, new boolean[] {true, true, false});  // sky FP
        s.add(new boolean[] {false, false, true}, new boolean[] {false, false, false}); // sea FN
        s.add(new boolean[] {false, false, false}, new boolean[] {false, false, false}); // exact (empty set)
        assertThat(s.subsetAccuracy()).isEqualTo(0.5);
        // red: TP 2 -> 1; sky: TP 1, FP 1 -> 2/3; sea: FN 1 -> 0.
        assertThat(s.macroF1()).isCloseTo((1 + 2.0 / 3 + 0) / 3, within(1e-12));
        // micro: TP 3, FP 1, FN 1 -> 6 / 8.
        assertThat(s.microF1()).isCloseTo(0.75, within(1e-12));
        assertThat(s.metrics().get("confusion/sky/fp")).isEqualTo(1.0);
        assertThat(s.metrics().get("confusion/sea/tn")).isEqualTo(3.0);
        assertThat(s.table()).contains("subset accuracy 0.5000");
    }
}
