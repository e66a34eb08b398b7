package dev.bertj.heads.classification;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Single-label evaluation: counts of (gold, predicted) label pairs, and from them accuracy, per-label precision,
 * recall and F1, and macro-F1 as scikit-learn computes it ({@code f1_score(average="macro")}: the unweighted mean
 * of the F1 of every label that occurs as gold or as prediction; a label without true positives has F1 0).
 */
public final class ConfusionMatrix {

    private final List<String> labels;
    /** {@code counts[gold][predicted]}. */
    private final long[][] counts;

    public ConfusionMatrix(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.counts = new long[labels.size()][labels.size()];
    }

    public void add(int gold, int predicted) {
        counts[gold][predicted]++;
    }

    public long count(int gold, int predicted) {
        return counts[gold][predicted];
    }

    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    public double accuracy() {
        long right = 0;
        for (int i = 0; i < counts.length; i++) {
            right += counts[i][i];
        }
        long n = total();
        return n == 0 ? 0 : (double) right / n;
    }

    private long goldCount(int label) {
        long n = 0;
        for (long c : counts[label]) {
            n += c;
        }
        return n;
    }

    private long predictedCount(int label) {
        long n = 0;
        for (long[] row : counts) {
            n += row[label];
        }
        return n;
    }

    public double precision(int label) {
        long p = predictedCount(label);
        return p == 0 ? 0 : (double) counts[label][label] / p;
    }

    public double recall(int label) {
        long g = goldCount(label);
        return g == 0 ? 0 : (double) counts[label][label] / g;
    }

    /** {@code 2 TP / (2 TP + FP + FN)}; 0 when the label never occurs. */
    public double f1(int label) {
        long tp = counts[label][label];
        long denominator = goldCount(label) + predictedCount(label);
        return denominator == 0 ? 0 : 2.0 * tp / denominator;
    }

    public double macroF1() {
        double sum = 0;
        int present = 0;
        for (int i = 0; i < labels.size(); i++) {
            if (goldCount(i) + predictedCount(i) > 0) {
                sum += f1(i);
                present++;
            }
        }
        return present == 0 ? 0 : sum / present;
    }

    /** accuracy, macro_f1, examples, and every cell as {@code confusion/<gold>/<predicted>}. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy());
        m.put("macro_f1", macroF1());
        m.put("examples", (double) total());
        for (int g = 0; g < labels.size(); g++) {
            for (int p = 0; p < labels.size(); p++) {
                m.put("confusion/" + labels.get(g) + "/" + labels.get(p), (double) counts[g][p]);
            }
        }
        return m;
    }

    /** The matrix (rows gold, columns predicted) and per-label precision, recall and F1, as aligned text. */
    public String table() {
        int w = 9;
        for (String l : labels) {
            w = Math.max(w, l.length() + 2);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad("gold \\ predicted", Math.max(w, 18)));
        for (String l : labels) {
            sb.append(leftPad(l, w));
        }
        sb.append(leftPad("precision", 11)).append(leftPad("recall", 9)).append(leftPad("f1", 9)).append('\n');
        for (int g = 0; g < labels.size(); g++) {
            sb.append(pad(labels.get(g), Math.max(w, 18)));
            for (int p = 0; p < labels.size(); p++) {
                sb.append(leftPad(Long.toString(counts[g][p]), w));
            }
            sb.append(leftPad(String.format(java.util.Locale.ROOT, "%.4f", precision(g)), 11))
                    .append(leftPad(String.format(java.util.Locale.ROOT, "%.4f", recall(g)), 9))
                    .append(leftPad(String.format(java.util.Locale.ROOT, "%.4f", f1(g)), 9)).append('\n');
        }
        sb.append(String.format(java.util.Locale.ROOT, "accuracy %.4f   macro-F1 %.4f   examples %d%n",
                accuracy(), macroF1(), total()));
        return sb.toString();
    }

    static String pad(String s, int w) {
        return s.length() >= w ? s + " " : s + " ".repeat(w - s.length());
    }

    static String leftPad(String s, int w) {
        return s.length() >= w ? " " + s : " ".repeat(w - s.length()) + s;
    }
}
