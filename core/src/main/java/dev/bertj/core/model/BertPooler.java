package dev.bertj.core.model;

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
    private final int hidden;

    BertPooler(BertConfig config, Parameters params, String prefix) {
        hidden = config.hiddenSize();
        denseWeight = params.create(prefix + "dense.weight", hidden, hidden);
        denseBias = params.create(prefix + "dense.bias", hidden);
        weight = Floats.of(denseWeight.value());
        bias = Floats.of(denseBias.value());
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
}
