package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;

import java.nio.FloatBuffer;

/**
 * Multi-head self-attention ("Attention Is All You Need", 3.2.2): per head,
 * {@code softmax(Q K^T / sqrt(d_head) + mask) V}, bidirectional; padded keys get probability exactly 0, so
 * padding changes no real token's output.
 *
 * <p>Query, key and value weights are stored as one [3H, H] matrix (the three HF parameters are views of it), so
 * one GEMM projects all three into {@code qkv [T, 3H]}. Each head's scores are one GEMM reading its Q and K
 * slices in place through the leading dimension; its context is written straight into its columns of
 * {@code context [T, H]}, which merges the heads for free. For a right-padded sequence of length L the GEMMs
 * stop at L keys: the padded keys would have received probability 0 anyway.
 */
public final class BertSelfAttention {

    final Parameter query;
    final Parameter queryBias;
    final Parameter key;
    final Parameter keyBias;
    final Parameter value;
    final Parameter valueBias;
    final Parameters.Fused weights;
    final Parameters.Fused biases;
    private final Floats qkvWeight;
    private final Floats qkvBias;
    private final int hidden;
    private final int heads;
    private final int headSize;
    private final float scale;

    BertSelfAttention(BertConfig config, Parameters params, String prefix) {
        hidden = config.hiddenSize();
        heads = config.numAttentionHeads();
        headSize = config.headSize();
        scale = (float) (1.0 / Math.sqrt(headSize));
        weights = params.fused(new String[] {prefix + "query.weight", prefix + "key.weight", prefix + "value.weight"},
                hidden, hidden);
        biases = params.fused(new String[] {prefix + "query.bias", prefix + "key.bias", prefix + "value.bias"},
                hidden, 0);
        query = weights.parts()[0];
        key = weights.parts()[1];
        value = weights.parts()[2];
        queryBias = biases.parts()[0];
        keyBias = biases.parts()[1];
        valueBias = biases.parts()[2];
        qkvWeight = Floats.of(weights.value());
        qkvBias = Floats.of(biases.value());
    }

    /** {@code x [T, H]} (layer input) to {@code a.context [T, H]}. */
    void forward(BertActivations act, BertActivations.Layer a, Floats x) {
        int t = act.tokens;
        int h3 = 3 * hidden;
        Floats qkv = a.qkv;
        // Bias first, then the GEMM accumulates onto it: saves a pass over [T, 3H].
        Parallel.forRange(t, 64, (from, to) -> {
            for (int r = from; r < to; r++) {
                qkv.copyFrom(qkvBias, 0, r * h3, h3);
            }
        });
        Gemm.linear(x, 0, qkvWeight, qkv, 0, t, hidden, h3, 1f);

        int allHeads = act.batch * heads;
        int seqLen = act.seqLen;
        int square = seqLen * seqLen;
        Floats probs = a.probs;
        for (int first = 0; first < allHeads; first += act.headsPerChunk) {
            int chunk = Math.min(act.headsPerChunk, allHeads - first);
            int g0 = first;
            for (int g = 0; g < chunk; g++) {
                int b = (g0 + g) / heads;
                int h = (g0 + g) % heads;
                long rowQ = (long) b * seqLen * h3 + (long) h * headSize;
                Gemm.sgemm(false, true, seqLen, act.keyLength[b], headSize, scale, qkv.address(rowQ), h3,
                        qkv.address(rowQ + hidden), h3, 0f, probs.address((long) g * square), seqLen);
            }
            Parallel.forRange(chunk * seqLen, 64, (from, to) -> softmaxRows(act, probs.buffer(), g0, from, to));
            for (int g = 0; g < chunk; g++) {
                int b = (g0 + g) / heads;
                int h = (g0 + g) % heads;
                long rowQ = (long) b * seqLen * h3 + (long) h * headSize;
                Gemm.sgemm(false, false, seqLen, headSize, act.keyLength[b], 1f, probs.address((long) g * square),
                        seqLen, qkv.address(rowQ + 2L * hidden), h3, 0f,
                        a.context.address((long) b * seqLen * hidden + (long) h * headSize), hidden);
            }
        }
    }

    /** Softmax over the attended keys of rows {@code [from, to)} of the chunk starting at head {@code g0}. */
    private void softmaxRows(BertActivations act, FloatBuffer p, int g0, int from, int to) {
        int seqLen = act.seqLen;
        for (int row = from; row < to; row++) {
            int b = (g0 + row / seqLen) / heads;
            int n = act.keyLength[b];
            int o = row * seqLen;
            boolean holes = act.holes[b];
            int m = b * seqLen;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                float v = p.get(o + j);
                if (holes) {
                    v += act.keyMask[m + j];
                    p.put(o + j, v);
                }
                max = Math.max(max, v);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(p.get(o + j) - max);
                p.put(o + j, e);
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < n; j++) {
                p.put(o + j, p.get(o + j) * inv);
            }
        }
    }
}
