package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Bias;
import dev.bertj.core.nn.Dropout;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.LayerNorm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;

import java.nio.FloatBuffer;

import static dev.bertj.core.model.BertEmbeddings.buf;

/**
 * The attention block's output: a dense projection of the merged heads, dropout, the residual connection and
 * LayerNorm (post-LN, as in the original BERT): {@code LayerNorm(dropout(dense(context)) + input)}.
 */
public final class BertSelfOutput {

    final Parameter denseWeight;
    final Parameter denseBias;
    final Parameter layerNormWeight;
    final Parameter layerNormBias;
    private final Floats weight;
    private final Floats bias;
    private final Floats gamma;
    private final Floats beta;
    private final GradientView weightGrad;
    private final GradientView biasGrad;
    private final GradientView gammaGrad;
    private final GradientView betaGrad;
    private final int hidden;
    private final double eps;
    private final double dropoutProb;

    BertSelfOutput(BertConfig config, Parameters params, String prefix) {
        hidden = config.hiddenSize();
        eps = config.layerNormEps();
        denseWeight = params.create(prefix + "dense.weight", hidden, hidden);
        denseBias = params.create(prefix + "dense.bias", hidden);
        layerNormWeight = params.create(prefix + "LayerNorm.weight", hidden);
        layerNormBias = params.create(prefix + "LayerNorm.bias", hidden);
        weight = Floats.of(denseWeight.value());
        bias = Floats.of(denseBias.value());
        gamma = Floats.of(layerNormWeight.value());
        beta = Floats.of(layerNormBias.value());
        weightGrad = GradientView.of(denseWeight);
        biasGrad = GradientView.of(denseBias);
        gammaGrad = GradientView.of(layerNormWeight);
        betaGrad = GradientView.of(layerNormBias);
        dropoutProb = config.hiddenDropoutProb();
    }

    /** {@code a.context} and the layer input {@code x} to {@code a.attentionOut}. */
    void forward(BertActivations act, BertActivations.Layer a, Floats x) {
        Gemm.linear(a.context, 0, weight, a.attentionSum, 0, act.tokens, hidden, hidden, 0f);
        Floats keep = act.keep(a.attentionKeep);
        int site = BertActivations.attentionOutputSite(a.index);
        Parallel.forRange(act.tokens, Parallel.rowsPerShare(hidden), (from, to) -> {
            if (keep != null) {
                Dropout.fill(keep.buffer(), dropoutProb, act.dropoutKey, site, from * hidden, to * hidden);
            }
            LayerNorm.forward(a.attentionSum.buffer(), bias.buffer(), buf(keep), x.buffer(),
                    a.attentionOut.buffer(), gamma.buffer(), beta.buffer(), buf(a.attentionMean),
                    buf(a.attentionRstd), hidden, eps, from, to);
        });
    }

    /**
     * Backward from {@code dOut} = d(attention block output) [T, H]: through LayerNorm into {@code dX} (the
     * residual branch's gradient of the layer input, which the self-attention backward then adds to), and through
     * dropout and the dense layer into {@code g.context}.
     */
    void backward(BertActivations act, BertActivations.Layer a, Floats dOut, Floats dX, BertBackwardBuffers g) {
        int t = act.tokens;
        FloatBuffer d = dOut.buffer();
        FloatBuffer x = a.attentionSum.buffer();
        FloatBuffer mean = a.attentionMean.buffer();
        FloatBuffer rstd = a.attentionRstd.buffer();
        Floats dGamma = gammaGrad.get();
        Floats dBeta = betaGrad.get();
        if (dGamma != null || dBeta != null) {
            Parallel.forRange(hidden, 16, (from, to) -> LayerNorm.backwardParams(d, x, mean, rstd, buf(dGamma),
                    buf(dBeta), hidden, t, from, to));
        }
        Floats keep = act.keep(a.attentionKeep);
        Floats dY = keep != null ? g.dropped : dX;
        Parallel.forRange(t, 16, (from, to) -> {
            LayerNorm.backward(d, x, mean, rstd, gamma.buffer(), dX.buffer(), null, null, hidden, from, to);
            if (keep != null) {
                multiply(dX.buffer(), keep.buffer(), dY.buffer(), from * hidden, to * hidden);
            }
        });
        Floats dB = biasGrad.get();
        if (dB != null) {
            Bias.backward(dY, t, hidden, dB);
        }
        Floats dW = weightGrad.get();
        if (dW != null) {
            Gemm.linearWeightGrad(dY, a.context, dW, t, hidden, hidden);
        }
        Gemm.linearInputGrad(dY, weight, g.context, t, hidden, hidden, 0f);
    }

    /** {@code out[i] = a[i] * b[i]} for {@code i} in {@code [from, to)}. */
    static void multiply(FloatBuffer a, FloatBuffer b, FloatBuffer out, int from, int to) {
        for (int i = from; i < to; i++) {
            out.put(i, a.get(i) * b.get(i));
        }
    }
}
