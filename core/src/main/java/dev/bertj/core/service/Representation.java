package dev.bertj.core.service;

import java.util.Arrays;

/**
 * What the encoder makes of one text (or text pair): each token with its vector and its span in the text, plus
 * the sentence-level vectors. Offsets are {@code String} indices into the text the token came from (the first or
 * second text of a pair, see {@link #sequenceIds()}); {@code -1} for [CLS] and [SEP].
 *
 * @param pooler null when the model has no pooler
 */
public record Representation(String[] tokens, int[] offsetStart, int[] offsetEnd, int[] sequenceIds,
                             float[][] tokenVectors, float[] cls, float[] mean, float[] pooler) {

    /** The sentence vector for {@code pooling}, L2-normalised when asked (a copy). */
    public float[] sentenceVector(Pooling pooling, boolean normalize) {
        float[] v = switch (pooling) {
            case CLS -> cls;
            case MEAN -> mean;
            case POOLER -> {
                if (pooler == null) {
                    throw new IllegalStateException("this model has no pooler (its checkpoint has no pooler.dense weights);"
                            + " use cls or mean pooling");
                }
                yield pooler;
            }
        };
        v = v.clone();
        return normalize ? l2Normalize(v) : v;
    }

    public int length() {
        return tokens.length;
    }

    /** Scales {@code v} in place to unit length (left as is when it is all zeros); returns it. */
    public static float[] l2Normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float inv = (float) (1.0 / Math.sqrt(sum));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }

    @Override
    public String toString() {
        return "Representation" + Arrays.toString(tokens);
    }
}
