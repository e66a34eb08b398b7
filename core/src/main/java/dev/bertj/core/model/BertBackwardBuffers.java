package dev.bertj.core.model;

import dev.bertj.core.nn.Floats;

import java.util.ArrayList;
import java.util.List;

/**
 * The gradients of the activations during a backward pass (llm.c's {@code grads_acts}), one layer's worth: the
 * layers are walked one at a time, last to first, so every layer reuses the same buffers. Sized like the
 * {@link BertActivations} they belong to and reused for every later step. Row-major, T = batch x seqLen.
 */
final class BertBackwardBuffers implements AutoCloseable {

    /** d(layer output) and d(layer input) [T, H], swapped from layer to layer. */
    Floats hiddenA;
    Floats hiddenB;
    /** [T, H] d(LayerNorm input) of the feed-forward block, then d(attention block output). */
    Floats sum;
    /** [T, H] the gradient after a hidden dropout (null when hidden dropout is off). */
    Floats dropped;
    /** [T, I] d(activated), then in place d(intermediate pre-activation). */
    Floats intermediate;
    /** [T, H] d(context), the merged heads. */
    Floats context;
    /** [T, 3H] d(query | key | value). */
    Floats qkv;
    /** [B*heads, S, S] d(attention probabilities), then in place d(scores). */
    Floats probs;
    /** [B, H] d(pooler pre-activation). */
    Floats pooled;

    private final List<Floats> owned = new ArrayList<>();
    private long capacityTokens = -1;
    private long capacityBatch = -1;
    private long capacityProbs = -1;

    void prepare(BertActivations act) {
        long t = act.tokens;
        long b = act.batch;
        long p = (long) act.batch * act.heads * act.seqLen * act.seqLen;
        if (t <= capacityTokens && b <= capacityBatch && p <= capacityProbs) {
            return;
        }
        close();
        capacityTokens = Math.max(t, capacityTokens);
        capacityBatch = Math.max(b, capacityBatch);
        capacityProbs = Math.max(p, capacityProbs);
        long h = act.hidden;
        hiddenA = alloc(capacityTokens * h);
        hiddenB = alloc(capacityTokens * h);
        sum = alloc(capacityTokens * h);
        dropped = act.config.hiddenDropoutProb() > 0 ? alloc(capacityTokens * h) : null;
        intermediate = alloc(capacityTokens * act.intermediate);
        context = alloc(capacityTokens * h);
        qkv = alloc(capacityTokens * 3 * h);
        probs = alloc(capacityProbs);
        pooled = alloc(capacityBatch * h);
    }

    private Floats alloc(long n) {
        Floats f = Floats.allocate(n);
        owned.add(f);
        return f;
    }

    long bytes() {
        return owned.stream().mapToLong(f -> 4L * f.length()).sum();
    }

    @Override
    public void close() {
        for (Floats f : owned) {
            f.release();
        }
        owned.clear();
    }
}
