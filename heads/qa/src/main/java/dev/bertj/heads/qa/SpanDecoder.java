package dev.bertj.heads.qa;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores the answer spans of one window exactly as Hugging Face's question-answering pipeline does
 * ({@code select_starts_ends} + {@code decode_spans}): positions that are neither [CLS] nor context get a logit of
 * -10000; start and end logits each go through a softmax over the window; the "no answer" score is
 * {@code p_start[CLS] * p_end[CLS]}; a span {@code (s, e)} with {@code s <= e < s + max_answer_len} scores
 * {@code p_start[s] * p_end[e]}. Spans lie inside the context only.
 */
final class SpanDecoder {

    /** The masking logit of HF's pipeline (and BERT's attention mask). */
    static final double MASKED = -10000.0;

    /** A span of context tokens {@code [start, end]} (inclusive) found in window {@code window}, with its score. */
    record Span(int window, int start, int end, double score) {
    }

    /** The best spans of a window, best first, and its no-answer score. */
    record WindowSpans(List<Span> spans, double nullScore) {
    }

    private SpanDecoder() {
    }

    /**
     * @param startLogits the window's start logits, one per window position ({@code w.length()} of them)
     * @param endLogits   the window's end logits
     * @param topK        how many spans to keep
     */
    static WindowSpans decode(QaInput.Window w, float[] startLogits, float[] endLogits, int topK, int maxAnswerLen) {
        int len = w.length();
        if (startLogits.length < len || endLogits.length < len) {
            throw new IllegalArgumentException("window of " + len + " positions, " + startLogits.length + " logits");
        }
        double[] pStart = maskedSoftmax(w, startLogits);
        double[] pEnd = maskedSoftmax(w, endLogits);
        double nullScore = pStart[0] * pEnd[0];
        int first = w.contextOffset();
        int last = w.position(w.contextTo() - 1);
        // A small sorted array of the best k: windows hold a few hundred tokens and k is small.
        Span[] best = new Span[topK];
        int filled = 0;
        for (int s = first; s <= last; s++) {
            int maxEnd = Math.min(last, s + maxAnswerLen - 1);
            for (int e = s; e <= maxEnd; e++) {
                double score = pStart[s] * pEnd[e];
                if (filled == topK && score <= best[topK - 1].score()) {
                    continue;
                }
                int j = filled < topK ? filled++ : topK - 1;
                while (j > 0 && best[j - 1].score() < score) {
                    best[j] = best[j - 1];
                    j--;
                }
                best[j] = new Span(w.index(), w.contextToken(s), w.contextToken(e), score);
            }
        }
        List<Span> spans = new ArrayList<>(filled);
        for (int i = 0; i < filled; i++) {
            spans.add(best[i]);
        }
        return new WindowSpans(spans, nullScore);
    }

    /** Softmax over the window with everything but [CLS] and the context masked to -10000. */
    static double[] maskedSoftmax(QaInput.Window w, float[] logits) {
        int len = w.length();
        double[] z = new double[len];
        double max = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < len; p++) {
            z[p] = p == 0 || w.isContext(p) ? logits[p] : MASKED;
            max = Math.max(max, z[p]);
        }
        double sum = 0;
        for (int p = 0; p < len; p++) {
            z[p] = Math.exp(z[p] - max);
            sum += z[p];
        }
        for (int p = 0; p < len; p++) {
            z[p] /= sum;
        }
        return z;
    }
}
