package dev.bertj.core.head;

/**
 * One batch of encoder inputs, padded to a common length: WordPiece ids, segment (token type) ids and the
 * attention mask (1 real token, 0 padding), each {@code [batch][seqLen]}.
 */
public record EncoderBatch(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMask) {

    public EncoderBatch {
        if (inputIds.length == 0) {
            throw new IllegalArgumentException("an encoder batch needs at least one sequence");
        }
        int len = inputIds[0].length;
        if (tokenTypeIds.length != inputIds.length || attentionMask.length != inputIds.length) {
            throw new IllegalArgumentException("ids, token types and mask disagree on the batch size");
        }
        for (int b = 0; b < inputIds.length; b++) {
            if (inputIds[b].length != len || tokenTypeIds[b].length != len || attentionMask[b].length != len) {
                throw new IllegalArgumentException("sequence " + b + " is not padded to the batch length " + len);
            }
        }
    }

    public int batchSize() {
        return inputIds.length;
    }

    public int seqLen() {
        return inputIds[0].length;
    }

    /** Real (unpadded) tokens in the batch. */
    public int tokenCount() {
        int n = 0;
        for (int[] row : attentionMask) {
            for (int m : row) {
                n += m;
            }
        }
        return n;
    }

    /** The same batch in the encoder's flat row-major layout. */
    public dev.bertj.core.model.EncoderInput toEncoderInput() {
        int n = batchSize();
        int len = seqLen();
        int[] ids = new int[n * len];
        int[] types = new int[n * len];
        int[] mask = new int[n * len];
        for (int b = 0; b < n; b++) {
            System.arraycopy(inputIds[b], 0, ids, b * len, len);
            System.arraycopy(tokenTypeIds[b], 0, types, b * len, len);
            System.arraycopy(attentionMask[b], 0, mask, b * len, len);
        }
        return new dev.bertj.core.model.EncoderInput(n, len, ids, types, mask);
    }

    /**
     * Pads encodings to their longest length (dynamic padding) with id {@code padId}, segment 0 and mask 0.
     */
    public static EncoderBatch pad(java.util.List<dev.bertj.core.tokenizer.Encoding> encodings, int padId) {
        int len = 0;
        for (var e : encodings) {
            len = Math.max(len, e.length());
        }
        return pad(encodings, padId, len);
    }

    /** Pads encodings to exactly {@code length} (fixed padding); longer encodings are an error. */
    public static EncoderBatch pad(java.util.List<dev.bertj.core.tokenizer.Encoding> encodings, int padId, int length) {
        int n = encodings.size();
        int[][] ids = new int[n][length];
        int[][] types = new int[n][length];
        int[][] mask = new int[n][length];
        for (int b = 0; b < n; b++) {
            var e = encodings.get(b);
            if (e.length() > length) {
                throw new IllegalArgumentException("encoding of " + e.length() + " tokens does not fit length " + length);
            }
            java.util.Arrays.fill(ids[b], padId);
            System.arraycopy(e.ids(), 0, ids[b], 0, e.length());
            System.arraycopy(e.typeIds(), 0, types[b], 0, e.length());
            System.arraycopy(e.attentionMask(), 0, mask[b], 0, e.length());
        }
        return new EncoderBatch(ids, types, mask);
    }
}
