package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Bias;
import dev.bertj.core.nn.Dropout;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Kernels;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;
import dev.bertj.core.nn.Scratch;

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
    private final GradientView qkvWeightGrad;
    private final GradientView qkvBiasGrad;
    private final int hidden;
    private final int heads;
    private final int headSize;
    private final float scale;
    private final double dropoutProb;

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
        qkvWeightGrad = GradientView.of(weights);
        qkvBiasGrad = GradientView.of(biases);
        dropoutProb = config.attentionProbsDropoutProb();
    }

    /** {@code x [T, H]} (layer input) to {@code a.context [T, H]}. */
    void forward(BertActivations act, BertActivations.Layer a, Floats x) {
        int t = act.tokens;
        int h3 = 3 * hidden;
        Floats qkv = a.qkv;
        // Bias first, then the GEMM accumulates onto it: saves a pass over [T, 3H].
        Parallel.forRange(t, Parallel.rowsPerShare(h3 / 4), (from, to) -> {
            for (int r = from; r < to; r++) {
                qkv.copyFrom(qkvBias, 0, r * h3, h3);
            }
        });
        Gemm.linear(x, 0, qkvWeight, qkv, 0, t, hidden, h3, 1f);

        int allHeads = act.batch * heads;
        int seqLen = act.seqLen;
        int square = seqLen * seqLen;
        Floats probs = a.probs;
        Floats keep = act.keep(a.probsKeep);
        // Dropout on the probabilities (training): the context then reads the dropped copy.
        Floats used = keep != null ? a.probsDropped : probs;
        // One task = one head's block of query rows: scores GEMM, softmax (and dropout), context GEMM, all on one
        // thread while the block is in cache. Blocks are small enough (Gemm.singleThreadRows) that OpenBLAS
        // runs them single-threaded, so the tasks share the cores without waking its thread pool per head,
        // which cost 5-10x more than the arithmetic on a busy machine.
        int rows = Math.min(seqLen, Gemm.singleThreadRows(seqLen, headSize));
        int blocks = (seqLen + rows - 1) / rows;
        for (int first = 0; first < allHeads; first += act.headsPerChunk) {
            int chunk = Math.min(act.headsPerChunk, allHeads - first);
            int g0 = first;
            Parallel.forRange(chunk * blocks, 1, (from, to) -> {
                for (int task = from; task < to; task++) {
                    int local = task / blocks;
                    int q0 = (task % blocks) * rows;
                    int nq = Math.min(rows, seqLen - q0);
                    int g = g0 + local;
                    int b = g / heads;
                    int h = g % heads;
                    int keys = act.keyLength[b];
                    long rowQ = (long) b * seqLen * h3 + (long) h * headSize;
                    long block = (long) local * square + (long) q0 * seqLen;
                    Gemm.sgemm(false, true, nq, keys, headSize, scale, qkv.address(rowQ + (long) q0 * h3), h3,
                            qkv.address(rowQ + hidden), h3, 0f, probs.address(block), seqLen);
                    int firstRow = local * seqLen + q0;
                    softmaxRows(act, probs.buffer(), g0, firstRow, firstRow + nq);
                    if (keep != null) {
                        dropoutRows(act, a, g0, firstRow, firstRow + nq);
                    }
                    Gemm.sgemm(false, false, nq, headSize, keys, 1f, used.address(block), seqLen,
                            qkv.address(rowQ + 2L * hidden), h3, 0f,
                            a.context.address((long) (b * seqLen + q0) * hidden + (long) h * headSize), hidden);
                }
            });
        }
    }

    /** Softmax over the attended keys of rows {@code [from, to)} of the chunk starting at head {@code g0}. */
    private void softmaxRows(BertActivations act, FloatBuffer p, int g0, int from, int to) {
        int seqLen = act.seqLen;
        Scratch scratch = Scratch.get();
        float[] row = scratch.row(0, seqLen);
        float[] mask = scratch.row(1, seqLen);
        for (int r = from; r < to; r++) {
            int b = (g0 + r / seqLen) / heads;
            int n = act.keyLength[b];
            int o = r * seqLen;
            p.get(o, row, 0, n);
            if (act.holes[b]) {
                System.arraycopy(act.keyMask, b * seqLen, mask, 0, n);
                Kernels.add(row, mask, n);
            }
            Kernels.softmax(row, n);
            p.put(o, row, 0, n);
        }
    }

    /** Draws the dropout mask of rows {@code [from, to)} of the chunk at head {@code g0} and applies it. */
    private void dropoutRows(BertActivations act, BertActivations.Layer a, int g0, int from, int to) {
        int seqLen = act.seqLen;
        long site = Dropout.siteKey(act.dropoutKey, BertActivations.attentionProbsSite(a.index));
        float p = (float) dropoutProb;
        float keepScale = Dropout.keepScale(dropoutProb);
        long chunkStart = (long) g0 * seqLen * seqLen;
        FloatBuffer probs = a.probs.buffer();
        FloatBuffer keep = a.probsKeep.buffer();
        FloatBuffer dropped = a.probsDropped.buffer();
        for (int row = from; row < to; row++) {
            int b = (g0 + row / seqLen) / heads;
            int n = act.keyLength[b];
            int o = row * seqLen;
            Dropout.fillRange(keep, site, chunkStart + o, o, n, p, keepScale);
            for (int j = 0; j < n; j++) {
                dropped.put(o + j, probs.get(o + j) * keep.get(o + j));
            }
        }
    }

    /**
     * Backward from {@code dContext} [T, H] to the layer input: {@code dX} [T, H] gets {@code dQKV . W_qkv}
     * added (it already holds the residual branch's gradient); the fused weight and bias gradients accumulate.
     * Per head, with {@code P} the probabilities, {@code D} the dropout mask and {@code Pd = P * D}:
     * {@code dPd = dC V^T}, {@code dV = Pd^T dC}, {@code dS = P * (dP - rowsum(dP * P))} with {@code dP = dPd * D},
     * {@code dQ = scale dS K}, {@code dK = scale dS^T Q}. Padded keys had probability 0, so they get no gradient.
     */
    void backward(BertActivations act, BertActivations.Layer a, Floats x, Floats dContext, Floats dX,
                  BertBackwardBuffers g) {
        int t = act.tokens;
        int h3 = 3 * hidden;
        int seqLen = act.seqLen;
        int square = seqLen * seqLen;
        int allHeads = act.batch * heads;
        Floats qkv = a.qkv;
        Floats dQkv = g.qkv;
        Floats dProbs = g.probs;
        Floats keep = act.keep(a.probsKeep);
        Floats used = keep != null ? a.probsDropped : a.probs;
        // Every head's GEMMs, cut into row blocks that OpenBLAS runs in the calling thread, spread over the cores.
        int rows = Gemm.singleThreadRows(seqLen, headSize);
        int blocks = (seqLen + rows - 1) / rows;
        Parallel.forRange(allHeads * blocks, 1, (from, to) -> {
            for (int u = from; u < to; u++) {
                int gh = u / blocks;
                int b = gh / heads;
                int n = act.keyLength[b];
                int r0 = (u % blocks) * rows;
                long rowQ = (long) b * seqLen * h3 + (long) (gh % heads) * headSize;
                long ctx = (long) b * seqLen * hidden + (long) (gh % heads) * headSize;
                long probs = (long) gh * square;
                int m = Math.min(rows, seqLen - r0);
                // dPd = dC V^T for query rows [r0, r0 + m).
                Gemm.sgemm(false, true, m, n, headSize, 1f, dContext.address(ctx + (long) r0 * hidden), hidden,
                        qkv.address(rowQ + 2L * hidden), h3, 0f, dProbs.address(probs + (long) r0 * seqLen), seqLen);
                // dV = Pd^T dC for key rows [r0, r0 + m) below n.
                int mk = Math.min(rows, n - r0);
                if (mk > 0) {
                    Gemm.sgemm(true, false, mk, headSize, seqLen, 1f, used.address(probs + r0), seqLen,
                            dContext.address(ctx), hidden, 0f, dQkv.address(rowQ + 2L * hidden + (long) r0 * h3), h3);
                }
            }
        });
        Parallel.forRange(allHeads * seqLen, 64, (from, to) -> softmaxBackwardRows(act, a, keep, dProbs, from, to));
        Parallel.forRange(allHeads * blocks, 1, (from, to) -> {
            for (int u = from; u < to; u++) {
                int gh = u / blocks;
                int b = gh / heads;
                int n = act.keyLength[b];
                int r0 = (u % blocks) * rows;
                long rowQ = (long) b * seqLen * h3 + (long) (gh % heads) * headSize;
                long probs = (long) gh * square;
                int m = Math.min(rows, seqLen - r0);
                // dQ = scale dS K for query rows [r0, r0 + m).
                Gemm.sgemm(false, false, m, headSize, n, scale, dProbs.address(probs + (long) r0 * seqLen), seqLen,
                        qkv.address(rowQ + hidden), h3, 0f, dQkv.address(rowQ + (long) r0 * h3), h3);
                // dK = scale dS^T Q for key rows [r0, r0 + m) below n.
                int mk = Math.min(rows, n - r0);
                if (mk > 0) {
                    Gemm.sgemm(true, false, mk, headSize, seqLen, scale, dProbs.address(probs + r0), seqLen,
                            qkv.address(rowQ), h3, 0f, dQkv.address(rowQ + hidden + (long) r0 * h3), h3);
                }
            }
        });
        // Keys and values of padding positions beyond a sequence's attended length: no gradient.
        FloatBuffer dq = dQkv.buffer();
        for (int b = 0; b < act.batch; b++) {
            for (int s = act.keyLength[b]; s < seqLen; s++) {
                int o = (b * seqLen + s) * h3;
                for (int j = hidden; j < h3; j++) {
                    dq.put(o + j, 0f);
                }
            }
        }
        Floats dW = qkvWeightGrad.get();
        if (dW != null) {
            Gemm.linearWeightGrad(dQkv, x, dW, t, hidden, h3);
        }
        Floats dB = qkvBiasGrad.get();
        if (dB != null) {
            Bias.backward(dQkv, t, h3, dB);
        }
        Gemm.linearInputGrad(dQkv, qkvWeight, dX, t, hidden, h3, 1f);
    }

    /** Rows {@code [from, to)} of all heads: d(probabilities) to d(scores), in place (scale applied later). */
    private void softmaxBackwardRows(BertActivations act, BertActivations.Layer a, Floats keep, Floats dProbs,
                                     int from, int to) {
        int seqLen = act.seqLen;
        FloatBuffer p = a.probs.buffer();
        FloatBuffer d = dProbs.buffer();
        FloatBuffer k = keep == null ? null : keep.buffer();
        for (int row = from; row < to; row++) {
            int b = row / seqLen / heads;
            int n = act.keyLength[b];
            int o = row * seqLen;
            double dot = 0;
            for (int j = 0; j < n; j++) {
                float dp = d.get(o + j);
                if (k != null) {
                    dp *= k.get(o + j);
                    d.put(o + j, dp);
                }
                dot += dp * p.get(o + j);
            }
            float dotf = (float) dot;
            for (int j = 0; j < n; j++) {
                d.put(o + j, p.get(o + j) * (d.get(o + j) - dotf));
            }
        }
    }
}
