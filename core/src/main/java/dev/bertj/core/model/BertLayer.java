package dev.bertj.core.model;

import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameters;

/** One transformer encoder layer: the attention sub-layer, then the feed-forward sub-layer (post-LN). */
public final class BertLayer {

    final int index;
    final BertAttention attention;
    final BertIntermediate intermediate;
    final BertOutput output;

    BertLayer(BertConfig config, Parameters params, String prefix, int index) {
        this.index = index;
        attention = new BertAttention(config, params, prefix + "attention.");
        intermediate = new BertIntermediate(config, params, prefix + "intermediate.");
        output = new BertOutput(config, params, prefix + "output.");
    }

    /** {@code act.hiddenStates[index]} to {@code act.hiddenStates[index + 1]}. */
    void forward(BertActivations act) {
        BertActivations.Layer a = act.layer[index];
        attention.forward(act, a, act.hiddenStates[index]);
        intermediate.forward(act, a);
        output.forward(act, a, act.outputSum(index), act.hiddenStates[index + 1]);
    }

    /** d(layer output) {@code dOut} [T, H] (overwritten) to d(layer input) {@code dIn} [T, H] (written). */
    void backward(BertActivations act, Floats dOut, Floats dIn, BertBackwardBuffers g) {
        BertActivations.Layer a = act.layer[index];
        output.backward(act, a, dOut, g.sum, g);
        intermediate.backward(act, a, g.sum, g);
        attention.backward(act, a, act.hiddenStates[index], g.sum, dIn, g);
    }
}
