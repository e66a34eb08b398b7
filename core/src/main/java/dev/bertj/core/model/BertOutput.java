package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.LayerNorm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;

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
    private final int hidden;
    private final int intermediate;
    private final double eps;

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
    }

    /** {@code a.activated [T, I]} and {@code a.attentionOut} to the layer output {@code out [T, H]}. */
    void forward(BertActivations act, BertActivations.Layer a, Floats sum, Floats out) {
        Gemm.linear(a.activated, 0, weight, sum, 0, act.tokens, intermediate, hidden, 0f);
        Parallel.forRange(act.tokens, 16, (from, to) -> LayerNorm.forward(sum.buffer(), bias.buffer(),
                buf(a.outputKeep), a.attentionOut.buffer(), out.buffer(), gamma.buffer(), beta.buffer(),
                buf(a.outputMean), buf(a.outputRstd), hidden, eps, from, to));
    }
}
