package dev.bertj.heads.translation.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Corpus BLEU-4 (Papineni et al. 2002) computed as sacreBLEU computes it by default: each segment tokenized
 * with {@link Tokenizer13a}, n-gram matches clipped by the largest count in any reference, statistics summed
 * over the corpus, the brevity penalty on the summed lengths (per segment, the reference length closest to
 * the hypothesis, the shorter on ties), and the geometric mean of the four precisions.
 *
 * <p>Smoothing: sacreBLEU's default is {@link Smoothing#EXP} (mteval-v13a's), which changes a precision only
 * when an order has no match at all in the whole corpus; on any real test set every order matches and the score
 * is the unsmoothed corpus BLEU. {@link Smoothing#NONE} gives 0 in that degenerate case instead.
 */
public final class Bleu {

    public static final int MAX_ORDER = 4;

    public enum Smoothing {
        /** A zero precision makes BLEU 0. */
        NONE,
        /** mteval-v13a / sacreBLEU default: the k-th zero precision becomes 100 / (2^k * total). */
        EXP
    }

    private final Smoothing smoothing;
    private final boolean lowercase;

    public Bleu(Smoothing smoothing, boolean lowercase) {
        this.smoothing = smoothing;
        this.lowercase = lowercase;
    }

    /** {@code sacrebleu.corpus_bleu(hyps, refs)} with no options: 13a, mixed case, exp smoothing. */
    public static Bleu sacreBleuDefault() {
        return new Bleu(Smoothing.EXP, false);
    }

    /** One reference per hypothesis. */
    public BleuScore score(List<String> hypotheses, List<String> references) {
        return scoreMulti(hypotheses, List.of(references));
    }

    /**
     * Several references per hypothesis, given as sacreBLEU takes them: a list of reference streams, stream
     * {@code r} holding reference {@code r} of every segment.
     */
    public BleuScore scoreMulti(List<String> hypotheses, List<List<String>> referenceStreams) {
        if (referenceStreams.isEmpty()) {
            throw new IllegalArgumentException("BLEU needs at least one reference stream");
        }
        for (int r = 0; r < referenceStreams.size(); r++) {
            if (referenceStreams.get(r).size() != hypotheses.size()) {
                throw new IllegalArgumentException("reference stream " + r + " has " + referenceStreams.get(r).size()
                        + " segments for " + hypotheses.size() + " hypotheses");
            }
        }
        int[] correct = new int[MAX_ORDER];
        int[] total = new int[MAX_ORDER];
        int sysLen = 0;
        int refLen = 0;
        for (int i = 0; i < hypotheses.size(); i++) {
            List<String> hypTokens = PythonWhitespace.split(preprocess(hypotheses.get(i)));
            Map<List<String>, Integer> refMax = new HashMap<>();
            int closest = -1;
            for (List<String> stream : referenceStreams) {
                List<String> refTokens = PythonWhitespace.split(preprocess(stream.get(i)));
                closest = closerLength(hypTokens.size(), closest, refTokens.size());
                for (var e : ngrams(refTokens).entrySet()) {
                    refMax.merge(e.getKey(), e.getValue(), Math::max);
                }
            }
            sysLen += hypTokens.size();
            refLen += closest;
            for (var e : ngrams(hypTokens).entrySet()) {
                int n = e.getKey().size();
                total[n - 1] += e.getValue();
                correct[n - 1] += Math.min(e.getValue(), refMax.getOrDefault(e.getKey(), 0));
            }
        }
        return compute(correct, total, sysLen, refLen, smoothing);
    }

    private String preprocess(String segment) {
        String s = lowercase ? segment.toLowerCase(Locale.ROOT) : segment;
        return Tokenizer13a.tokenize(PythonWhitespace.rstrip(s));
    }

    /** The reference length closest to the hypothesis length; the shorter one on a tie. -1: none yet. */
    private static int closerLength(int hypLen, int best, int candidate) {
        if (best < 0) {
            return candidate;
        }
        int dBest = Math.abs(hypLen - best);
        int dCand = Math.abs(hypLen - candidate);
        return dCand < dBest || (dCand == dBest && candidate < best) ? candidate : best;
    }

    /** Counts of every n-gram, n = 1..4. */
    private static Map<List<String>, Integer> ngrams(List<String> tokens) {
        Map<List<String>, Integer> counts = new HashMap<>();
        for (int n = 1; n <= MAX_ORDER; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                counts.merge(new ArrayList<>(tokens.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** BLEU from its sufficient statistics (sacreBLEU's {@code compute_bleu}). */
    public static BleuScore compute(int[] correct, int[] total, int sysLen, int refLen, Smoothing smoothing) {
        if (correct.length != MAX_ORDER || total.length != MAX_ORDER) {
            throw new IllegalArgumentException("BLEU-4 statistics need " + MAX_ORDER + " counts per kind");
        }
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0) : 1.0;
        double[] precisions = new double[MAX_ORDER];
        boolean anyMatch = false;
        for (int c : correct) {
            anyMatch |= c > 0;
        }
        if (!anyMatch) {
            return new BleuScore(0.0, correct.clone(), total.clone(), precisions, bp, sysLen, refLen);
        }
        double smooth = 1;
        for (int n = 0; n < MAX_ORDER; n++) {
            if (total[n] == 0) {
                break;
            }
            if (correct[n] == 0) {
                if (smoothing == Smoothing.EXP) {
                    smooth *= 2;
                    precisions[n] = 100.0 / (smooth * total[n]);
                }
            } else {
                precisions[n] = 100.0 * correct[n] / total[n];
            }
        }
        double logSum = 0;
        for (double p : precisions) {
            // sacreBLEU's my_log: log(0) is a huge negative number, so the score becomes 0.
            logSum += p == 0 ? -9999999999.0 : Math.log(p);
        }
        double score = bp * Math.exp(logSum / MAX_ORDER);
        return new BleuScore(score, correct.clone(), total.clone(), precisions, bp, sysLen, refLen);
    }
}
