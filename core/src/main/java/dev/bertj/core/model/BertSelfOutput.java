package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.LayerNorm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;

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
    private final int hidden;
    private final double eps;

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
    }

    /** {@code a.context} and the layer input {@code x} to {@code a.attentionOut}. */
    void forward(BertActivations act, BertActivations.Layer a, Floats x) {
        Gemm.linear(a.context, 0, weight, a.attentionSum, 0, act.tokens, hidden, hidden, 0f);
        Parallel.forRange(act.tokens, 16, (from, to) -> LayerNorm.forward(a.attentionSum.buffer(), bias.buffer(),
                buf(a.attentionKeep), x.buffer(), a.attentionOut.buffer(), gamma.buffer(), beta.buffer(),
                buf(a.attentionMean), buf(a.attentionRstd), hidden, eps, from, to));
    }
}
