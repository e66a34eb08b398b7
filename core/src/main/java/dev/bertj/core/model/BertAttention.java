package dev.bertj.core.model;

import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameters;

/** Self-attention followed by its output block, as one sub-layer of a {@link BertLayer}. */
public final class BertAttention {

    final BertSelfAttention self;
    final BertSelfOutput output;

    BertAttention(BertConfig config, Parameters params, String prefix) {
        self = new BertSelfAttention(config, params, prefix + "self.");
        output = new BertSelfOutput(config, params, prefix + "output.");
    }

    void forward(BertActivations act, BertActivations.Layer a, Floats x) {
        self.forward(act, a, x);
        output.forward(act, a, x);
    }

    /** d(attention block output) {@code dOut} to d(layer input) {@code dX}, which is written. */
    void backward(BertActivations act, BertActivations.Layer a, Floats x, Floats dOut, Floats dX,
                  BertBackwardBuffers g) {
        output.backward(act, a, dOut, dX, g);
        self.backward(act, a, x, g.context, dX, g);
    }
}
