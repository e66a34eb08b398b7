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
 * The second half of the feed-forward network, narrowing I back to H, then dropout, the residual connection to
 * the attention block's output, and LayerNorm.
 */
public final class BertOutput {

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
    private final int intermediate;
    private final double eps;
    private final double dropoutProb;

    BertOutput(BertConfig config, Parameters params, String prefix) {
        hidden = config.hiddenSize();
        intermediate = config.intermediateSize();
        eps = config.layerNormEps();
        denseWeight = params.create(prefix + "dense.weight", hidden, intermediate);
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

    /** {@code a.activated [T, I]} and {@code a.attentionOut} to the layer output {@code out [T, H]}. */
    void forward(BertActivations act, BertActivations.Layer a, Floats sum, Floats out) {
        Gemm.linear(a.activated, 0, weight, sum, 0, act.tokens, intermediate, hidden, 0f);
        Floats keep = act.keep(a.outputKeep);
        int site = BertActivations.outputSite(a.index);
        Parallel.forRange(act.tokens, Parallel.rowsPerShare(hidden), (from, to) -> {
            if (keep != null) {
                Dropout.fill(keep.buffer(), dropoutProb, act.dropoutKey, site, from * hidden, to * hidden);
            }
            LayerNorm.forward(sum.buffer(), bias.buffer(), buf(keep), a.attentionOut.buffer(), out.buffer(),
                    gamma.buffer(), beta.buffer(), buf(a.outputMean), buf(a.outputRstd), hidden, eps, from, to);
        });
    }

    /**
     * Backward from {@code dOut} = d(layer output) [T, H]: through LayerNorm into {@code dSum}, which is also the
     * residual branch's d(attention block output) (the intermediate backward adds its part), and through dropout
     * and the dense layer into {@code g.intermediate} = d(activated).
     */
    void backward(BertActivations act, BertActivations.Layer a, Floats dOut, Floats dSum, BertBackwardBuffers g) {
        int t = act.tokens;
        FloatBuffer d = dOut.buffer();
        FloatBuffer x = a.outputSum.buffer();
        FloatBuffer mean = a.outputMean.buffer();
        FloatBuffer rstd = a.outputRstd.buffer();
        Floats dGamma = gammaGrad.get();
        Floats dBeta = betaGrad.get();
        if (dGamma != null || dBeta != null) {
            Parallel.forRange(hidden, 16, (from, to) -> LayerNorm.backwardParams(d, x, mean, rstd, buf(dGamma),
                    buf(dBeta), hidden, t, from, to));
        }
        Floats keep = act.keep(a.outputKeep);
        Floats dY = keep != null ? g.dropped : dSum;
        Parallel.forRange(t, 16, (from, to) -> {
            LayerNorm.backward(d, x, mean, rstd, gamma.buffer(), dSum.buffer(), null, null, hidden, from, to);
            if (keep != null) {
                BertSelfOutput.multiply(dSum.buffer(), keep.buffer(), dY.buffer(), from * hidden, to * hidden);
            }
        });
        Floats dB = biasGrad.get();
        if (dB != null) {
            Bias.backward(dY, t, hidden, dB);
        }
        Floats dW = weightGrad.get();
        if (dW != null) {
            Gemm.linearWeightGrad(dY, a.activated, dW, t, intermediate, hidden);
        }
        Gemm.linearInputGrad(dY, weight, g.intermediate, t, intermediate, hidden, 0f);
    }
}
