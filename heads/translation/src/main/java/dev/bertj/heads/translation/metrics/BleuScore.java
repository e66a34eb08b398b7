package dev.bertj.heads.translation.metrics;

import java.util.Locale;

/**
 * A corpus BLEU score with its sufficient statistics, as sacreBLEU reports it.
 *
 * @param score      BLEU in [0, 100]
 * @param counts     matching (clipped) n-grams, n = 1..4
 * @param totals     hypothesis n-grams, n = 1..4
 * @param precisions n-gram precisions in percent (after smoothing)
 * @param bp         brevity penalty
 * @param sysLen     hypothesis tokens
 * @param refLen     reference tokens (the closest reference's length per segment)
 */
public record BleuScore(double score, int[] counts, int[] totals, double[] precisions, double bp, int sysLen,
                        int refLen) {

    /** sacreBLEU's line: {@code BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)}. */
    @Override
    public String toString() {
        StringBuilder p = new StringBuilder();
        for (int i = 0; i < precisions.length; i++) {
            p.append(i == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.1f", precisions[i]));
        }
        double ratio = refLen == 0 ? 0 : (double) sysLen / refLen;
        return String.format(Locale.ROOT, "BLEU = %.2f %s (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)",
                score, p, bp, ratio, sysLen, refLen);
    }
}
