package dev.bertj.core.model;

/**
 * The encoder's outputs for one batch, copied out of the workspace: the last hidden state
 * {@code [batch, seqLen, hidden]} and, when the model has a pooler, the pooled output {@code [batch, hidden]}.
 * Positions where the attention mask is 0 hold values too (as in Hugging Face), but they mean nothing.
 */
public final class EncoderOutput {

    private final int batch;
    private final int seqLen;
    private final int hidden;
    private final float[] lastHiddenState;
    private final float[] pooled;
    private final int[] attentionMask;

    EncoderOutput(int batch, int seqLen, int hidden, float[] lastHiddenState, float[] pooled, int[] attentionMask) {
        this.batch = batch;
        this.seqLen = seqLen;
        this.hidden = hidden;
        this.lastHiddenState = lastHiddenState;
        this.pooled = pooled;
        this.attentionMask = attentionMask;
    }

    public int batch() {
        return batch;
    }

    public int seqLen() {
        return seqLen;
    }

    public int hiddenSize() {
        return hidden;
    }

    /** The whole last hidden state, row-major [batch, seqLen, hidden] (not a copy). */
    public float[] lastHiddenState() {
        return lastHiddenState;
    }

    public boolean hasPooler() {
        return pooled != null;
    }

    /** The vector of token {@code s} of sequence {@code b}. */
    public float[] token(int b, int s) {
        checkIndex(b, s);
        float[] v = new float[hidden];
        System.arraycopy(lastHiddenState, (b * seqLen + s) * hidden, v, 0, hidden);
        return v;
    }

    /** The last hidden state of the first token ([CLS]) of sequence {@code b}, not the pooler output. */
    public float[] cls(int b) {
        return token(b, 0);
    }

    /** The pooler output ({@code tanh(dense(h_[CLS]))}) of sequence {@code b}. */
    public float[] pooled(int b) {
        if (pooled == null) {
            throw new IllegalStateException("this model has no pooler (its checkpoint has no pooler.dense weights)");
        }
        checkIndex(b, 0);
        float[] v = new float[hidden];
        System.arraycopy(pooled, b * hidden, v, 0, hidden);
        return v;
    }

    /** The mean of the token vectors of sequence {@code b} over its real tokens (attention mask 1). */
    public float[] meanPooled(int b) {
        checkIndex(b, 0);
        double[] sum = new double[hidden];
        int n = 0;
        for (int s = 0; s < seqLen; s++) {
            if (attentionMask[b * seqLen + s] == 1) {
                int o = (b * seqLen + s) * hidden;
                for (int j = 0; j < hidden; j++) {
                    sum[j] += lastHiddenState[o + j];
                }
                n++;
            }
        }
        float[] v = new float[hidden];
        for (int j = 0; j < hidden; j++) {
            v[j] = (float) (sum[j] / n);
        }
        return v;
    }

    private void checkIndex(int b, int s) {
        if (b < 0 || b >= batch || s < 0 || s >= seqLen) {
            throw new IndexOutOfBoundsException("sequence " + b + ", position " + s + " outside [" + batch + ", "
                    + seqLen + "]");
        }
    }
}
