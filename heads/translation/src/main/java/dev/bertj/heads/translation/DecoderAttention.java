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
 * One attention block of a BERT layer ({@code BertAttention}: {@code self.query/key/value}, then
 * {@code output.dense}, dropout, residual and post-LN {@code output.LayerNorm}). The decoder has two: masked
 * self-attention over the target prefix ({@code attention}) and cross-attention over the encoder's output
 * ({@code crossattention}). Keys and values are projected separately ({@link #keys}, {@link #values}) so
 * that a decoding step can cache them.
 */
final class DecoderAttention {

    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear dense;
    private final LayerNorm norm;
    private final int heads;

    private DecoderAttention(Linear query, Linear key, Linear value, Linear dense, LayerNorm norm, int heads) {
        this.query = query;
        this.key = key;
        this.value = value;
        this.dense = dense;
        this.norm = norm;
        this.heads = heads;
    }

    static DecoderAttention create(String prefix, DecoderConfig c, Rng rng) {
        int h = c.hiddenSize();
        double std = c.initializerRange();
        return new DecoderAttention(
                Linear.create(prefix + "self.query", h, h, true, std, rng),
                Linear.create(prefix + "self.key", h, h, true, std, rng),
                Linear.create(prefix + "self.value", h, h, true, std, rng),
                Linear.create(prefix + "output.dense", h, h, true, std, rng),
                LayerNorm.create(prefix + "output.LayerNorm", h, c.layerNormEps()), c.numHeads());
    }

    Var keys(Tape tape, Var x) {
        return key.forward(tape, x);
    }

    Var values(Tape tape, Var x) {
        return value.forward(tape, x);
    }

    /**
     * {@code LayerNorm(hidden + dropout(dense(attention(query(hidden), keys, values))))}.
     *
     * @param keyMask per sequence, 1 for keys that may be attended to (null: all)
     * @param causal  whether query i sees only keys up to its own position (self-attention of a decoder)
     */
    Var forward(Tape tape, Var hidden, Var keys, Var values, int batch, int[][] keyMask, boolean causal,
                double attentionDropout, double hiddenDropout, Rng rng) {
        Var q = query.forward(tape, hidden);
        Var context = tape.attention(q, keys, values, batch, heads, keyMask, causal, attentionDropout, rng);
        Var out = tape.dropout(dense.forward(tape, context), hiddenDropout, rng);
        return norm.forward(tape, tape.add(out, hidden));
    }

    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        all.addAll(query.parameters());
        all.addAll(key.parameters());
        all.addAll(value.parameters());
        all.addAll(dense.parameters());
        all.addAll(norm.parameters());
        return all;
    }
}
