package dev.bertj.core.model;

import java.util.Arrays;
import java.util.List;

/**
 * One batch for the encoder, row-major {@code [batch, seqLen]}: token ids, segment (token type) ids and the
 * attention mask (1 = a real token, 0 = padding). Sequences of different lengths are padded on the right.
 */
public record EncoderInput(int batch, int seqLen, int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {

    public EncoderInput {
        if (batch <= 0 || seqLen <= 0) {
            throw new IllegalArgumentException("empty batch: batch " + batch + ", seqLen " + seqLen);
        }
        int n = Math.multiplyExact(batch, seqLen);
        check(inputIds, n, "inputIds");
        if (tokenTypeIds == null) {
            tokenTypeIds = new int[n];
        }
        check(tokenTypeIds, n, "tokenTypeIds");
        if (attentionMask == null) {
            attentionMask = new int[n];
            Arrays.fill(attentionMask, 1);
        }
        check(attentionMask, n, "attentionMask");
        for (int b = 0; b < batch; b++) {
            boolean any = false;
            for (int s = 0; s < seqLen; s++) {
                int m = attentionMask[b * seqLen + s];
                if (m != 0 && m != 1) {
                    throw new IllegalArgumentException("attentionMask[" + b + "][" + s + "] is " + m + ", not 0 or 1");
                }
                any |= m == 1;
            }
            if (!any) {
                throw new IllegalArgumentException("sequence " + b + " has no token to attend to (all-zero mask)");
            }
        }
    }

    /** Single-segment sequences, right-padded with id 0 to the longest. */
    public static EncoderInput of(int[]... sequences) {
        return of(List.of(sequences), null);
    }

    /**
     * Sequences with their token type ids ({@code typeIds} may be null: all segment 0), right-padded with id 0 and
     * type 0 to the longest, mask 1 on the real tokens.
     */
    public static EncoderInput of(List<int[]> sequences, List<int[]> typeIds) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("no sequences");
        }
        int batch = sequences.size();
        int seqLen = 0;
        for (int[] s : sequences) {
            if (s.length == 0) {
                throw new IllegalArgumentException("empty sequence in batch");
            }
            seqLen = Math.max(seqLen, s.length);
        }
        int[] ids = new int[batch * seqLen];
        int[] types = new int[batch * seqLen];
        int[] mask = new int[batch * seqLen];
        for (int b = 0; b < batch; b++) {
            int[] s = sequences.get(b);
            System.arraycopy(s, 0, ids, b * seqLen, s.length);
            if (typeIds != null) {
                int[] t = typeIds.get(b);
                if (t.length != s.length) {
                    throw new IllegalArgumentException("sequence " + b + ": " + s.length + " ids but " + t.length
                            + " token type ids");
                }
                System.arraycopy(t, 0, types, b * seqLen, t.length);
            }
            Arrays.fill(mask, b * seqLen, b * seqLen + s.length, 1);
        }
        return new EncoderInput(batch, seqLen, ids, types, mask);
    }

    public int tokens() {
        return batch * seqLen;
    }

    /** Number of real tokens of sequence {@code b}. */
    public int length(int b) {
        int n = 0;
        for (int s = 0; s < seqLen; s++) {
            n += attentionMask[b * seqLen + s];
        }
        return n;
    }

    /**
     * The same batch cut to {@code maxLen} positions (dropping the tail of longer sequences). Use it only when
     * losing the tail is acceptable; the encoder otherwise rejects sequences longer than it can position.
     */
    public EncoderInput truncate(int maxLen) {
        if (maxLen >= seqLen) {
            return this;
        }
        int[] ids = new int[batch * maxLen];
        int[] types = new int[batch * maxLen];
        int[] mask = new int[batch * maxLen];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(inputIds, b * seqLen, ids, b * maxLen, maxLen);
            System.arraycopy(tokenTypeIds, b * seqLen, types, b * maxLen, maxLen);
            System.arraycopy(attentionMask, b * seqLen, mask, b * maxLen, maxLen);
        }
        return new EncoderInput(batch, maxLen, ids, types, mask);
    }

    private static void check(int[] a, int n, String what) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException(what + " must have batch * seqLen = " + n + " entries, got "
                    + (a == null ? "null" : a.length));
        }
    }
}
