package dev.bertj.heads.qa;

/**
 * How a question and a long context become windows {@code [CLS] question [SEP] context-slice [SEP]}.
 *
 * @param maxSeqLen   tokens per window, special tokens included (HF and Google: 384)
 * @param docStride   context tokens shared by consecutive windows (HF's {@code stride}, the overlap; 128)
 * @param maxQueryLen question tokens kept; longer questions are cut (Google's {@code max_query_length}: 64)
 * @param maxWindows  the most windows read from one context; the rest of a longer context is not read, which
 *                    bounds the work a single request can cause (default 64 windows: about 12,000 context tokens,
 *                    some 50,000 characters of English, at the other defaults)
 */
public record WindowSettings(int maxSeqLen, int docStride, int maxQueryLen, int maxWindows) {

    public static final int DEFAULT_MAX_SEQ_LEN = 384;
    public static final int DEFAULT_DOC_STRIDE = 128;
    public static final int DEFAULT_MAX_QUERY_LEN = 64;
    public static final int DEFAULT_MAX_WINDOWS = 64;
    /** [CLS], and a [SEP] after each text. */
    static final int SPECIAL_TOKENS = 3;

    public static final WindowSettings DEFAULT = new WindowSettings(DEFAULT_MAX_SEQ_LEN, DEFAULT_DOC_STRIDE,
            DEFAULT_MAX_QUERY_LEN, DEFAULT_MAX_WINDOWS);

    public WindowSettings {
        if (maxQueryLen < 1) {
            throw new IllegalArgumentException("max_query_len must be >= 1, got " + maxQueryLen);
        }
        if (docStride < 0) {
            throw new IllegalArgumentException("doc_stride must be >= 0, got " + docStride);
        }
        if (maxWindows < 1) {
            throw new IllegalArgumentException("max_windows must be >= 1, got " + maxWindows);
        }
        // With the longest question, each window must still hold more context tokens than it shares with the
        // previous one, or the windows would never advance.
        int room = maxSeqLen - maxQueryLen - SPECIAL_TOKENS;
        if (room <= docStride) {
            throw new IllegalArgumentException("max_seq_len " + maxSeqLen + " leaves " + Math.max(room, 0)
                    + " context tokens per window after a question of max_query_len " + maxQueryLen
                    + " and 3 special tokens; that must exceed doc_stride " + docStride);
        }
    }
}
