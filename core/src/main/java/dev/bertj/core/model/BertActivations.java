package dev.bertj.core.model;

import dev.bertj.core.nn.Floats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every activation of one forward pass, in native memory (llm.c's activation struct). Buffers are sized for the
 * largest batch shape seen and reused for every later call, so the hot path allocates no native memory.
 * Row-major, T = batch x seqLen token rows, H = hidden size, I = intermediate size.
 *
 * <p>Inference keeps one layer's worth (all layers share it), ping-pongs two hidden-state buffers, and lets the
 * normalisers and the activation work in place. Training keeps every layer's buffers, because the backward pass
 * reads them, plus the dropout masks.
 */
public final class BertActivations implements AutoCloseable {

    /** Attention probabilities of at most this many floats per chunk of heads in inference (32 MB). */
    private static final long INFERENCE_PROBS_BUDGET = 8L << 20;

    final BertConfig config;
    final boolean training;
    final int hidden;
    final int heads;
    final int headSize;
    final int intermediate;
    final int layers;

    // The batch being processed.
    int batch;
    int seqLen;
    int tokens;
    int[] inputIds;
    int[] tokenTypeIds;
    /** Per sequence: keys [0, keyLength) are attended; the rest are padding (masked) unless {@link #holes}. */
    int[] keyLength = new int[0];
    /** Per sequence: the mask is not a prefix of ones, so {@link #keyMask} is applied over all seqLen keys. */
    boolean[] holes = new boolean[0];
    /** [B*S] additive mask: 0 for attended keys, -infinity for masked ones. */
    float[] keyMask = new float[0];
    /** Heads (over the whole batch) whose probabilities fit in {@link Layer#probs} at once. */
    int headsPerChunk;

    // Training: whether this pass applies dropout, and the key every mask of the pass derives from (nn.Dropout).
    boolean dropout;
    long dropoutKey;
    private BertBackwardBuffers backward;

    // Embeddings.
    Floats embeddingSum;
    Floats embeddingMean;
    Floats embeddingRstd;
    Floats embeddingKeep;
    /** hidden[0] is the embeddings' output, hidden[l + 1] layer l's; hidden[layers] the last hidden state. */
    final Floats[] hiddenStates;
    final Layer[] layer;
    Floats pooled;

    /** The buffers of one encoder layer (names follow the module that writes them). */
    static final class Layer {
        int index;             // the layer's position in the stack (training; names its dropout sites)
        Floats qkv;            // [T, 3H] query | key | value
        Floats probs;          // [G, S, S] attention probabilities, G heads at a time
        Floats probsKeep;      // [G, S, S] attention dropout mask (training)
        Floats probsDropped;   // [G, S, S] probabilities after dropout (training)
        Floats context;        // [T, H] heads merged
        Floats attentionSum;   // [T, H] dense(context) + bias, dropout, + input: LayerNorm input
        Floats attentionMean;  // [T]
        Floats attentionRstd;  // [T]
        Floats attentionKeep;  // [T, H] hidden dropout mask (training)
        Floats attentionOut;   // [T, H] LayerNorm output (inference: same buffer as attentionSum)
        Floats intermediate;   // [T, I] dense + bias, before the activation (training: then its derivative)
        Floats activated;      // [T, I] after the activation (inference: same buffer as intermediate)
        Floats outputSum;      // [T, H] dense + bias, dropout, + attentionOut: LayerNorm input
        Floats outputMean;     // [T]
        Floats outputRstd;     // [T]
        Floats outputKeep;     // [T, H] hidden dropout mask (training)
    }

    private final List<Floats> owned = new ArrayList<>();
    private Floats pingPongA;
    private Floats pingPongB;
    private long capacityTokens = -1;
    private long capacityBatch = -1;
    private long capacityProbs = -1;

    public BertActivations(BertConfig config, boolean training) {
        this.config = config;
        this.training = training;
        this.hidden = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.headSize = config.headSize();
        this.intermediate = config.intermediateSize();
        this.layers = config.numHiddenLayers();
        this.hiddenStates = new Floats[layers + 1];
        this.layer = new Layer[layers];
        Layer shared = training ? null : new Layer();
        for (int l = 0; l < layers; l++) {
            layer[l] = training ? new Layer() : shared;
            layer[l].index = training ? l : 0;
        }
    }

    public boolean training() {
        return training;
    }

    public int batch() {
        return batch;
    }

    public int seqLen() {
        return seqLen;
    }

    /** The last hidden state, [batch, seqLen, hidden] row-major, valid after a forward pass. */
    public Floats lastHiddenState() {
        return hiddenStates[layers];
    }

    /** The pooler output [batch, hidden], valid after a forward pass of a model with a pooler. */
    public Floats pooledOutput() {
        return pooled;
    }

    /** Sets up the batch geometry and makes sure every buffer is large enough. */
    void prepare(EncoderInput in) {
        batch = in.batch();
        seqLen = in.seqLen();
        tokens = batch * seqLen;
        inputIds = in.inputIds();
        tokenTypeIds = in.tokenTypeIds();
        if (keyLength.length < batch) {
            keyLength = new int[batch];
            holes = new boolean[batch];
        }
        if (keyMask.length < tokens) {
            keyMask = new float[tokens];
        }
        int[] mask = in.attentionMask();
        for (int b = 0; b < batch; b++) {
            int n = 0;
            while (n < seqLen && mask[b * seqLen + n] == 1) {
                n++;
            }
            boolean prefix = true;
            for (int s = n; s < seqLen; s++) {
                prefix &= mask[b * seqLen + s] == 0;
            }
            holes[b] = !prefix;
            keyLength[b] = prefix ? n : seqLen;
            for (int s = 0; s < seqLen; s++) {
                keyMask[b * seqLen + s] = mask[b * seqLen + s] == 1 ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        long allHeads = (long) batch * heads;
        long square = (long) seqLen * seqLen;
        headsPerChunk = training ? (int) allHeads
                : (int) Math.max(1, Math.min(allHeads, INFERENCE_PROBS_BUDGET / square));
        allocate(tokens, batch, headsPerChunk * square);
    }

    private void allocate(long t, long b, long probs) {
        if (t <= capacityTokens && b <= capacityBatch && probs <= capacityProbs) {
            return;
        }
        releaseAll();
        capacityTokens = Math.max(t, capacityTokens);
        capacityBatch = Math.max(b, capacityBatch);
        capacityProbs = Math.max(probs, capacityProbs);
        long tt = capacityTokens;
        long h = hidden;
        boolean dropHidden = training && config.hiddenDropoutProb() > 0;
        boolean dropProbs = training && config.attentionProbsDropoutProb() > 0;
        if (training) {
            embeddingSum = alloc(tt * h);
            embeddingMean = alloc(tt);
            embeddingRstd = alloc(tt);
            embeddingKeep = dropHidden ? alloc(tt * h) : null;
            for (int l = 0; l <= layers; l++) {
                hiddenStates[l] = alloc(tt * h);
            }
        } else {
            pingPongA = alloc(tt * h);
            pingPongB = alloc(tt * h);
            for (int l = 0; l <= layers; l++) {
                hiddenStates[l] = l % 2 == 0 ? pingPongA : pingPongB;
            }
            embeddingSum = hiddenStates[0];
        }
        for (int l = 0; l < layers; l++) {
            if (!training && l > 0) {
                break;
            }
            Layer a = layer[l];
            a.qkv = alloc(tt * 3 * h);
            a.probs = alloc(capacityProbs);
            a.probsKeep = dropProbs ? alloc(capacityProbs) : null;
            a.probsDropped = dropProbs ? alloc(capacityProbs) : null;
            a.context = alloc(tt * h);
            a.attentionSum = alloc(tt * h);
            a.intermediate = alloc(tt * intermediate);
            if (training) {
                a.attentionMean = alloc(tt);
                a.attentionRstd = alloc(tt);
                a.attentionKeep = dropHidden ? alloc(tt * h) : null;
                a.attentionOut = alloc(tt * h);
                a.activated = alloc(tt * intermediate);
                a.outputSum = alloc(tt * h);
                a.outputMean = alloc(tt);
                a.outputRstd = alloc(tt);
                a.outputKeep = dropHidden ? alloc(tt * h) : null;
            } else {
                a.attentionOut = a.attentionSum;
                a.activated = a.intermediate;
            }
        }
        pooled = alloc(capacityBatch * h);
    }

    /**
     * Where layer {@code l} puts its dense output before the residual LayerNorm: its own buffer in training;
     * in inference directly the layer's output buffer, normalised in place.
     */
    Floats outputSum(int l) {
        return training ? layer[l].outputSum : hiddenStates[l + 1];
    }

    /** {@code mask} when this pass applies dropout, else null (the kernels then skip dropout). */
    Floats keep(Floats mask) {
        return dropout ? mask : null;
    }

    /** Dropout site ids for {@link dev.bertj.core.nn.Dropout}: 0 the embeddings, then three per layer. */
    static int attentionProbsSite(int layer) {
        return 1 + 3 * layer;
    }

    static int attentionOutputSite(int layer) {
        return 2 + 3 * layer;
    }

    static int outputSite(int layer) {
        return 3 + 3 * layer;
    }

    /** The gradient buffers of the backward pass (training workspaces only), made on first use. */
    BertBackwardBuffers backwardBuffers() {
        if (!training) {
            throw new IllegalStateException("the backward pass needs a training workspace: newActivations(true)");
        }
        if (backward == null) {
            backward = new BertBackwardBuffers();
        }
        backward.prepare(this);
        return backward;
    }

    private Floats alloc(long n) {
        Floats f = Floats.allocate(n);
        owned.add(f);
        return f;
    }

    private void releaseAll() {
        for (Floats f : owned) {
            f.release();
        }
        owned.clear();
    }

    /** Native bytes held by this workspace. */
    public long bytes() {
        return owned.stream().mapToLong(f -> 4L * f.length()).sum() + (backward == null ? 0 : backward.bytes());
    }

    @Override
    public void close() {
        releaseAll();
        if (backward != null) {
            backward.close();
            backward = null;
        }
        capacityTokens = capacityBatch = capacityProbs = -1;
        Arrays.fill(hiddenStates, null);
    }
}
