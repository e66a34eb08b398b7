package dev.bertj.heads.translation;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.LayerNorm;
import dev.bertj.core.nn.modules.Linear;

import java.util.ArrayList;
import java.util.List;

/**
 * One decoder layer, BERT's layer with cross-attention added ({@code BertLayer} with {@code add_cross_attention}):
 * masked self-attention, cross-attention over the encoder memory, feed-forward ({@code intermediate.dense},
 * activation, {@code output.dense}); each sub-layer is post-LN: {@code LayerNorm(x + dropout(sublayer(x)))}.
 */
final class DecoderLayer {

    final DecoderAttention attention;
    final DecoderAttention crossAttention;
    private final Linear intermediate;
    private final Linear output;
    private final LayerNorm outputNorm;
    private final DecoderConfig config;

    private DecoderLayer(DecoderAttention attention, DecoderAttention crossAttention, Linear intermediate,
                         Linear output, LayerNorm outputNorm, DecoderConfig config) {
        this.attention = attention;
        this.crossAttention = crossAttention;
        this.intermediate = intermediate;
        this.output = output;
        this.outputNorm = outputNorm;
        this.config = config;
    }

    static DecoderLayer create(String prefix, DecoderConfig c, Rng rng) {
        double std = c.initializerRange();
        return new DecoderLayer(
                DecoderAttention.create(prefix + "attention.", c, rng),
                DecoderAttention.create(prefix + "crossattention.", c, rng),
                Linear.create(prefix + "intermediate.dense", c.hiddenSize(), c.intermediateSize(), true, std, rng),
                Linear.create(prefix + "output.dense", c.intermediateSize(), c.hiddenSize(), true, std, rng),
                LayerNorm.create(prefix + "output.LayerNorm", c.hiddenSize(), c.layerNormEps()), c);
    }

    /**
     * The layer on {@code hidden} ({@code [batch * len, hidden]}).
     *
     * @param cache       null for a whole sequence (training, or the uncached reference path); else the
     *                    self-attention keys and values of the earlier positions, to which this step's are appended
     * @param layerIndex  this layer's slot in the cache
     * @param crossKeys   this layer's cross-attention keys of the memory, {@code [batch * srcLen, hidden]}
     * @param memoryMask  per sequence, 1 for real source tokens
     */
    Var forward(Tape tape, Var hidden, int batch, KeyValueCache cache, int layerIndex, Var crossKeys,
                Var crossValues, int[][] memoryMask, Rng rng) {
        Var keys = attention.keys(tape, hidden);
        Var values = attention.values(tape, hidden);
        if (cache != null) {
            keys = cache.appendSelfKeys(tape, layerIndex, keys);
            values = cache.appendSelfValues(tape, layerIndex, values);
        }
        // Right-padded targets need no key mask: with the causal mask a real position never sees a later pad.
        Var x = attention.forward(tape, hidden, keys, values, batch, null, true, config.attentionDropout(),
                config.hiddenDropout(), rng);
        x = crossAttention.forward(tape, x, crossKeys, crossValues, batch, memoryMask, false,
                config.attentionDropout(), config.hiddenDropout(), rng);
        Var h = intermediate.forward(tape, x);
        h = config.hiddenAct().equals("relu") ? tape.relu(h) : tape.gelu(h);
        h = tape.dropout(output.forward(tape, h), config.hiddenDropout(), rng);
        return outputNorm.forward(tape, tape.add(h, x));
    }

    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(attention.parameters());
        all.addAll(crossAttention.parameters());
        all.addAll(intermediate.parameters());
        all.addAll(output.parameters());
        all.addAll(outputNorm.parameters());
        return all;
    }
}
