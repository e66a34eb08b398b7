package dev.bertj.heads.classification;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Multi-label evaluation, each label a yes/no decision by its threshold: subset accuracy (the whole label set
 * right), per-label true/false positives/negatives, macro-F1 (the mean of the per-label F1 over all labels, as
 * scikit-learn's {@code average="macro"} on indicator matrices, 0 for a label never gold nor predicted) and micro-F1.
 */
public final class MultiLabelScores {

    private final List<String> labels;
    private final long[] tp;
    private final long[] fp;
    private final long[] fn;
    private final long[] tn;
    private long exact;
    private long total;

    public MultiLabelScores(List<String> labels) {
        this.labels = List.copyOf(labels);
        int n = labels.size();
        tp = new long[n];
        fp = new long[n];
        fn = new long[n];
        tn = new long[n];
    }

    public void add(boolean[] gold, boolean[] predicted) {
        boolean all = true;
        for (int i = 0; i < labels.size(); i++) {
            if (gold[i] && predicted[i]) {
                tp[i]++;
            } else if (predicted[i]) {
                fp[i]++;
            } else if (gold[i]) {
                fn[i]++;
            } else {
                tn[i]++;
            }
            all &= gold[i] == predicted[i];
        }
        exact += all ? 1 : 0;
        total++;
    }

    public double subsetAccuracy() {
        return total == 0 ? 0 : (double) exact / total;
    }

    public double f1(int label) {
        long d = 2 * tp[label] + fp[label] + fn[label];
        return d == 0 ? 0 : 2.0 * tp[label] / d;
    }

    public double macroF1() {
        double sum = 0;
        for (int i = 0; i < labels.size(); i++) {
            sum += f1(i);
        }
        return labels.isEmpty() ? 0 : sum / labels.size();
    }

    public double microF1() {
        long t = 0;
        long d = 0;
        for (int i = 0; i < labels.size(); i++) {
            t += tp[i];
            d += 2 * tp[i] + fp[i] + fn[i];
        }
        return d == 0 ? 0 : 2.0 * t / d;
    }

    /** accuracy (subset), macro_f1, micro_f1, examples, and {@code confusion/<label>/{tp,fp,fn,tn}}. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", subsetAccuracy());
        m.put("macro_f1", macroF1());
        m.put("micro_f1", microF1());
        m.put("examples", (double) total);
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i);
            m.put("confusion/" + l + "/tp", (double) tp[i]);
            m.put("confusion/" + l + "/fp", (double) fp[i]);
            m.put("confusion/" + l + "/fn", (double) fn[i]);
            m.put("confusion/" + l + "/tn", (double) tn[i]);
        }
        return m;
    }

    /** Per-label counts and F1 as aligned text. */
    public String table() {
        int w = 10;
        for (String l : labels) {
            w = Math.max(w, l.length() + 2);
        }
        StringBuilder sb = new StringBuilder(ConfusionMatrix.pad("label", w));
        for (String h : List.of("tp", "fp", "fn", "tn", "f1")) {
            sb.append(ConfusionMatrix.leftPad(h, 9));
        }
        sb.append('\n');
        for (int i = 0; i < labels.size(); i++) {
            sb.append(ConfusionMatrix.pad(labels.get(i), w));
            for (long c : new long[] {tp[i], fp[i], fn[i], tn[i]}) {
                sb.append(ConfusionMatrix.leftPad(Long.toString(c), 9));
            }
            sb.append(ConfusionMatrix.leftPad(String.format(Locale.ROOT, "%.4f", f1(i)), 9)).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "subset accuracy %.4f   macro-F1 %.4f   micro-F1 %.4f   examples %d%n",
                subsetAccuracy(), macroF1(), microF1(), total));
        return sb.toString();
    }
}
