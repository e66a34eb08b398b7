package dev.bertj.core.model;

import dev.bertj.core.nn.Bias;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;

import java.nio.FloatBuffer;

/**
 * The pooler: {@code tanh(dense(h_[CLS]))}, the sequence-level representation BERT's next-sentence and
 * classification heads read.
 */
public final class BertPooler {

    final Parameter denseWeight;
    final Parameter denseBias;
    private final Floats weight;
    private final Floats bias;
    private final GradientView weightGrad;
    private final GradientView biasGrad;
    private final int hidden;

    BertPooler(BertConfig config, Parameters params, String prefix) {
        hidden = config.hiddenSize();
        denseWeight = params.create(prefix + "dense.weight", hidden, hidden);
        denseBias = params.create(prefix + "dense.bias", hidden);
        weight = Floats.of(denseWeight.value());
        bias = Floats.of(denseBias.value());
        weightGrad = GradientView.of(denseWeight);
        biasGrad = GradientView.of(denseBias);
    }

    /** The [CLS] rows of the last hidden state (row b * seqLen, read in place) to {@code act.pooled [B, H]}. */
    void forward(BertActivations act) {
        Floats last = act.lastHiddenState();
        Gemm.sgemm(false, true, act.batch, hidden, hidden, 1f, last.address(), act.seqLen * hidden,
                weight.address(), hidden, 0f, act.pooled.address(), hidden);
        FloatBuffer p = act.pooled.buffer();
        FloatBuffer b = bias.buffer();
        for (int r = 0; r < act.batch; r++) {
            for (int j = 0; j < hidden; j++) {
                int i = r * hidden + j;
                p.put(i, (float) Math.tanh(p.get(i) + b.get(j)));
            }
        }
    }

    /**
     * Backward from {@code dPooled} [B, H]: {@code tanh' = 1 - pooled^2}, then the dense layer; the gradient of
     * each [CLS] row is ADDED to row {@code b * seqLen} of {@code dLast} [T, H].
     */
    void backward(BertActivations act, Floats dPooled, Floats dLast, BertBackwardBuffers g) {
        int batch = act.batch;
        int ld = act.seqLen * hidden;
        Floats dPre = g.pooled;
        FloatBuffer p = act.pooled.buffer();
        FloatBuffer d = dPooled.buffer();
        FloatBuffer out = dPre.buffer();
        for (int i = 0; i < batch * hidden; i++) {
            float y = p.get(i);
            out.put(i, d.get(i) * (1f - y * y));
        }
        Floats dB = biasGrad.get();
        if (dB != null) {
            Bias.backward(dPre, batch, hidden, dB);
        }
        Floats dW = weightGrad.get();
        Floats last = act.lastHiddenState();
        if (dW != null) {
            Gemm.sgemm(true, false, hidden, hidden, batch, 1f, dPre.address(), hidden, last.address(), ld, 1f,
                    dW.address(), hidden);
        }
        Gemm.sgemm(false, false, batch, hidden, hidden, 1f, dPre.address(), hidden, weight.address(), hidden, 1f,
                dLast.address(), ld);
    }
}
