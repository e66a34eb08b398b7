package dev.bertj.app.batch;

import java.util.Locale;

/**
 * How one vector is made from a sequence's token vectors, as Text Embeddings Inference and
 * sentence-transformers do it: the mean over real tokens, the [CLS] token's last hidden state, or BERT's pooler
 * output ({@code tanh(dense(h_[CLS]))}).
 */
public enum Pooling {
    MEAN, CLS, POOLER;

    /** The pooling named {@code name} (case-insensitive). */
    public static Pooling parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pooling must be one of mean, cls, pooler; got '" + name + "'");
        }
    }

    /**
     * The vector of sequence {@code b} of {@code e}, over its first {@code length} tokens (the real ones; padding
     * follows them), L2-normalised if asked.
     */
    public float[] pool(Encoded e, int b, int length, boolean normalize) {
        int h = e.hidden();
        float[] v = new float[h];
        switch (this) {
            case MEAN -> {
                double[] sum = new double[h];
                int base = b * e.seqLen() * h;
                for (int s = 0; s < length; s++) {
                    int o = base + s * h;
                    for (int j = 0; j < h; j++) {
                        sum[j] += e.lastHiddenState()[o + j];
                    }
                }
                for (int j = 0; j < h; j++) {
                    v[j] = (float) (sum[j] / length);
                }
            }
            case CLS -> System.arraycopy(e.lastHiddenState(), b * e.seqLen() * h, v, 0, h);
            case POOLER -> {
                if (e.pooled() == null) {
                    throw new IllegalArgumentException("this model has no pooler; use pooling 'mean' or 'cls'");
                }
                System.arraycopy(e.pooled(), b * h, v, 0, h);
            }
        }
        if (normalize) {
            double norm = 0;
            for (float x : v) {
                norm += (double) x * x;
            }
            // sentence-transformers' Normalize: x / max(||x||, 1e-12)
            float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
            for (int j = 0; j < h; j++) {
                v[j] *= inv;
            }
        }
        return v;
    }
}
