package dev.bertj.heads.translation.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Corpus chrF (Popović 2015) as sacreBLEU 2.x computes it by default (chrF2): character n-grams of order 1..6
 * over each segment with its whitespace removed, matches clipped per segment, statistics summed over the corpus,
 * then precision and recall averaged over the orders that exist on both sides ("effective order", sacreBLEU's
 * default) and combined into F-beta with beta = 2. Characters are Unicode code points, as Python's.
 * The alternative {@code eps_smoothing} mode (chrF++.py, NLTK, Moses) averages per-order F scores instead.
 */
public final class ChrF {

    public static final int DEFAULT_CHAR_ORDER = 6;
    public static final int DEFAULT_BETA = 2;

    private final int charOrder;
    private final double beta;
    private final boolean epsSmoothing;

    public ChrF(int charOrder, double beta, boolean epsSmoothing) {
        if (charOrder < 1) {
            throw new IllegalArgumentException("chrF character order must be >= 1, got " + charOrder);
        }
        this.charOrder = charOrder;
        this.beta = beta;
        this.epsSmoothing = epsSmoothing;
    }

    /** {@code sacrebleu.corpus_chrf(hyps, [refs])} with no options. */
    public static ChrF sacreBleuDefault() {
        return new ChrF(DEFAULT_CHAR_ORDER, DEFAULT_BETA, false);
    }

    /** Corpus chrF in [0, 100] against one reference per hypothesis. */
    public double score(List<String> hypotheses, List<String> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException(references.size() + " references for " + hypotheses.size()
                    + " hypotheses");
        }
        long[] stats = new long[3 * charOrder];
        for (int i = 0; i < hypotheses.size(); i++) {
            long[] s = segmentStatistics(hypotheses.get(i), references.get(i));
            for (int k = 0; k < stats.length; k++) {
                stats[k] += s[k];
            }
        }
        return fScore(stats);
    }

    /** [hyp n-grams, ref n-grams, matches] for each order 1..charOrder. */
    long[] segmentStatistics(String hypothesis, String reference) {
        int[] hyp = withoutWhitespace(hypothesis);
        int[] ref = withoutWhitespace(reference);
        long[] stats = new long[3 * charOrder];
        for (int n = 1; n <= charOrder; n++) {
            Map<String, Integer> h = charNgrams(hyp, n);
            Map<String, Integer> r = charNgrams(ref, n);
            long hypCount = 0;
            long refCount = 0;
            long match = 0;
            for (var e : h.entrySet()) {
                hypCount += e.getValue();
                match += Math.min(e.getValue(), r.getOrDefault(e.getKey(), 0));
            }
            for (int c : r.values()) {
                refCount += c;
            }
            // sacreBLEU counts no hypothesis n-grams of an order the reference lacks.
            stats[3 * (n - 1)] = r.isEmpty() ? 0 : hypCount;
            stats[3 * (n - 1) + 1] = refCount;
            stats[3 * (n - 1) + 2] = match;
        }
        return stats;
    }

    double fScore(long[] stats) {
        double eps = 1e-16;
        double factor = beta * beta;
        double epsScore = 0;
        double avgPrec = 0;
        double avgRec = 0;
        int effectiveOrder = 0;
        for (int i = 0; i < charOrder; i++) {
            long nHyp = stats[3 * i];
            long nRef = stats[3 * i + 1];
            long nMatch = stats[3 * i + 2];
            double prec = nHyp > 0 ? (double) nMatch / nHyp : eps;
            double rec = nRef > 0 ? (double) nMatch / nRef : eps;
            double denom = factor * prec + rec;
            epsScore += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
            if (nHyp > 0 && nRef > 0) {
                avgPrec += prec;
                avgRec += rec;
                effectiveOrder++;
            }
        }
        if (epsSmoothing) {
            return 100 * epsScore / charOrder;
        }
        if (effectiveOrder == 0) {
            return 0;
        }
        avgPrec /= effectiveOrder;
        avgRec /= effectiveOrder;
        if (avgPrec + avgRec == 0) {
            return 0;
        }
        return 100 * (1 + factor) * avgPrec * avgRec / (factor * avgPrec + avgRec);
    }

    private static int[] withoutWhitespace(String s) {
        return s.codePoints().filter(c -> !PythonWhitespace.isSpace(c)).toArray();
    }

    private static Map<String, Integer> charNgrams(int[] cps, int n) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i + n <= cps.length; i++) {
            counts.merge(new String(cps, i, n), 1, Integer::sum);
        }
        return counts;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "chrF%s(n=%d%s)", beta == Math.rint(beta) ? String.valueOf((int) beta)
                : String.valueOf(beta), charOrder, epsSmoothing ? ", eps" : "");
    }
}
