package dev.bertj.core.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * Reverse-mode automatic differentiation for task heads. A head writes its forward pass as calls on a tape
 * (linear, LayerNorm, GELU, attention, cross-entropy, ...); the tape remembers, for each op, how to send the
 * output's gradient back to its inputs, and {@link #backward(Var)} replays that list in reverse. Head authors
 * compose ordinary layers and never write backpropagation by hand.
 *
 * <p>The encoder does not use the tape: its layers have hand-written backward passes over preallocated buffers
 * for speed. The two meet at the encoder's outputs: a head's tape gives d(loss)/d(sequence output) and
 * d(loss)/d(pooled output), which the encoder's backward takes from there.
 *
 * <p>A tape in inference mode ({@link #inference()}) records nothing and keeps no activations alive.
 * Tapes are not thread-safe; use one per forward pass. Arrays are 2-D {@code [rows, features]} unless an op says
 * otherwise; float32 for real work, float64 for gradient checks.
 */
public final class Tape {

    /** One recorded op: sends the gradient of its output to its inputs. */
    @FunctionalInterface
    private interface Backward {
        void run(INDArray outputGrad);
    }

    private record Node(Var output, Backward backward) {
    }

    private final boolean recording;
    private final List<Node> nodes = new ArrayList<>();
    /** What {@link #release} frees: the Vars this tape computed (values and gradients) and its inputs' gradients. */
    private final List<Var> produced = new ArrayList<>();
    private final List<Var> inputs = new ArrayList<>();
    /** Arrays the tape was given (leaves, parameters): never freed by it. */
    private final List<INDArray> given = new ArrayList<>();

    private Tape(boolean recording) {
        this.recording = recording;
    }

    /** A tape that records for training. */
    public static Tape training() {
        return new Tape(true);
    }

    /** A tape that only computes (no gradients, nothing kept). */
    public static Tape inference() {
        return new Tape(false);
    }

    public boolean isRecording() {
        return recording;
    }

    // ---- leaves ---------------------------------------------------------------------------------------------

    /** An input that receives a gradient (e.g. the encoder's sequence output during fine-tuning). */
    public Var input(INDArray value) {
        Var v = new Var(value, recording, null);
        if (recording) {
            given.add(value);
            inputs.add(v);
        }
        return v;
    }

    /** A constant: no gradient flows into it. */
    public Var constant(INDArray value) {
        if (recording) {
            given.add(value);
        }
        return new Var(value, false, null);
    }

    /** A trainable parameter; its gradient accumulates into {@link Parameter#grad()}. */
    public Var param(Parameter p) {
        if (recording) {
            given.add(p.value());
            if (p.hasGrad()) {
                given.add(p.grad());
            }
        }
        return new Var(p.value(), recording && p.trainable(), p);
    }

    private Var result(INDArray value, Backward backward, Var... inputs) {
        boolean needs = false;
        if (recording) {
            for (Var in : inputs) {
                needs |= in.requiresGrad();
            }
        }
        Var out = new Var(value, needs, null);
        if (needs) {
            nodes.add(new Node(out, backward));
        }
        if (recording) {
            produced.add(out);
        }
        return out;
    }

    // ---- backward -------------------------------------------------------------------------------------------

    /**
     * Back-propagates from a scalar loss (gradient 1) through every recorded op. Parameter gradients are
     * accumulated (not overwritten), which is what gradient accumulation over micro-batches needs.
     */
    public void backward(Var loss) {
        if (loss.value().length() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got shape "
                    + java.util.Arrays.toString(loss.shape()));
        }
        backward(loss, Nd4j.ones(loss.value().dataType(), loss.shape()));
    }

    /** Back-propagates a given output gradient (for outputs that are not a scalar loss). */
    public void backward(Var output, INDArray outputGrad) {
        if (!recording) {
            throw new IllegalStateException("this tape was made for inference and recorded nothing");
        }
        output.accumulate(outputGrad);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            INDArray g = n.output().grad();
            if (g != null) {
                n.backward().run(g);
            }
        }
        nodes.clear();
    }

    /**
     * Frees, now, the off-heap memory of every value and gradient this training tape computed, and of its inputs'
     * gradients; the arrays it was given (inputs, constants, parameters and their gradients) and anything sharing
     * their memory are left alone. Without it those buffers go back only when the garbage collector happens to
     * find their small Java objects, and a training step that allocates little on the heap lets hundreds of
     * megabytes per step pile up (a translation decoder's vocabulary-sized arrays, for one). Call it
     * once the step is done: nothing computed on this tape may be read afterwards.
     */
    public void release() {
        if (!recording) {
            return;
        }
        java.util.Set<Object> keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (INDArray a : given) {
            keep.add(a.data());
            if (a.data().originalDataBuffer() != null) {
                keep.add(a.data().originalDataBuffer());
            }
        }
        java.util.Set<Object> freed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Var v : produced) {
            free(v.value(), keep, freed);
            free(v.ownGrad(), keep, freed);
        }
        for (Var v : inputs) {
            free(v.ownGrad(), keep, freed);
        }
        produced.clear();
        inputs.clear();
        given.clear();
        nodes.clear();
    }

    private static void free(INDArray a, java.util.Set<Object> keep, java.util.Set<Object> freed) {
        if (a == null || a.isView() || !a.closeable()) {
            return;
        }
        org.nd4j.linalg.api.buffer.DataBuffer buffer = a.data();
        if (keep.contains(buffer) || (buffer.originalDataBuffer() != null && keep.contains(buffer.originalDataBuffer()))
                || !freed.add(buffer)) {
            return;
        }
        a.close();
    }

    // ---- linear algebra -------------------------------------------------------------------------------------

    /** {@code x W^T + b}: a dense layer with a Hugging Face-style weight [out, in]; {@code b} may be null. */
    public Var linear(Var x, Var weight, Var bias) {
        INDArray y = Nd4j.gemm(x.value(), weight.value(), false, true);
        if (bias != null) {
            y.addiRowVector(bias.value());
        }
        return result(y, g -> {
            if (x.requiresGrad()) {
                x.accumulate(Nd4j.gemm(g, weight.value(), false, false));
            }
            if (weight.requiresGrad()) {
                weight.accumulate(Nd4j.gemm(g, x.value(), true, false));
            }
            if (bias != null && bias.requiresGrad()) {
                bias.accumulate(g.sum(0));
            }
        }, bias == null ? new Var[] {x, weight} : new Var[] {x, weight, bias});
    }

    /** {@code op(a) op(b)} for 2-D arrays, where op transposes when asked. */
    public Var matmul(Var a, Var b, boolean transposeA, boolean transposeB) {
        INDArray y = Nd4j.gemm(a.value(), b.value(), transposeA, transposeB);
        return result(y, g -> {
            if (a.requiresGrad()) {
                // d op(a) = g op(b)^T; transpose back when a itself was transposed.
                a.accumulate(transposeA ? Nd4j.gemm(b.value(), g, transposeB, true)
                        : Nd4j.gemm(g, b.value(), false, !transposeB));
            }
            if (b.requiresGrad()) {
                b.accumulate(transposeB ? Nd4j.gemm(g, a.value(), true, transposeA)
                        : Nd4j.gemm(a.value(), g, !transposeA, false));
            }
        }, a, b);
    }

    public Var add(Var a, Var b) {
        return result(a.value().add(b.value()), g -> {
            a.accumulate(g);
            b.accumulate(g);
        }, a, b);
    }

    /** {@code x + row} for every row of a 2-D {@code x}. */
    public Var addRow(Var x, Var row) {
        return result(x.value().addRowVector(row.value()), g -> {
            x.accumulate(g);
            if (row.requiresGrad()) {
                row.accumulate(g.sum(0).reshape(row.shape()));
            }
        }, x, row);
    }

    public Var scale(Var x, double factor) {
        return result(x.value().mul(factor), g -> x.accumulate(g.mul(factor)), x);
    }

    // ---- activations ----------------------------------------------------------------------------------------

    /** The exact GELU BERT uses: {@code x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}. */
    public Var gelu(Var x) {
        INDArray cdf = Nd4j.exec(new Erf(x.value().mul(1 / Math.sqrt(2)))).addi(1).muli(0.5);
        INDArray y = x.value().mul(cdf);
        return result(y, g -> {
            // d/dx = Phi(x) + x phi(x), phi the standard normal density.
            INDArray pdf = Nd4j.exec(new Exp(x.value().mul(x.value()).muli(-0.5))).muli(1 / Math.sqrt(2 * Math.PI));
            x.accumulate(g.mul(cdf.add(pdf.muli(x.value()))));
        }, x);
    }

    public Var tanh(Var x) {
        INDArray y = Nd4j.exec(new Tanh(x.value().dup()));
        return result(y, g -> x.accumulate(g.mul(y.mul(y).rsubi(1))), x);
    }

    public Var relu(Var x) {
        INDArray positive = x.value().gt(0).castTo(x.value().dataType());
        return result(x.value().mul(positive), g -> x.accumulate(g.mul(positive)), x);
    }

    /**
     * Inverted dropout: keeps each element with probability 1-p and scales it by 1/(1-p). The identity when
     * not recording (inference) or p = 0.
     */
    public Var dropout(Var x, double p, Rng rng) {
        if (!recording || p <= 0) {
            return x;
        }
        if (p >= 1) {
            throw new IllegalArgumentException("dropout probability must be < 1, got " + p);
        }
        INDArray mask = dropoutMask(x.value().dataType(), x.shape(), p, rng);
        return result(x.value().mul(mask), g -> x.accumulate(g.mul(mask)), x);
    }

    /** A mask of 0 (dropped, probability p) and 1/(1-p) (kept), drawn in a fixed order from {@code rng}. */
    static INDArray dropoutMask(DataType type, long[] shape, double p, Rng rng) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double keep = 1 / (1 - p);
        double[] m = new double[Math.toIntExact(n)];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextFloat() < p ? 0 : keep;
        }
        return Nd4j.create(m, shape, 'c').castTo(type);
    }

    // ---- normalisation ----------------------------------------------------------------------------------------

    /** LayerNorm over the last dimension of a 2-D {@code x}: {@code (x - mean) / sqrt(var + eps) * gamma + beta}. */
    public Var layerNorm(Var x, Var gamma, Var beta, double eps) {
        INDArray v = x.value();
        INDArray mean = v.mean(true, 1);
        INDArray centered = v.subColumnVector(mean);
        INDArray variance = centered.mul(centered).mean(true, 1);
        INDArray invStd = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt(variance.add(eps)));
        INDArray xhat = centered.muliColumnVector(invStd);
        INDArray y = xhat.mulRowVector(gamma.value()).addiRowVector(beta.value());
        return result(y, g -> {
            if (gamma.requiresGrad()) {
                gamma.accumulate(g.mul(xhat).sum(0).reshape(gamma.shape()));
            }
            if (beta.requiresGrad()) {
                beta.accumulate(g.sum(0).reshape(beta.shape()));
            }
            if (x.requiresGrad()) {
                // dx = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
                INDArray dxhat = g.mulRowVector(gamma.value());
                INDArray meanD = dxhat.mean(true, 1);
                INDArray meanDX = dxhat.mul(xhat).mean(true, 1);
                INDArray dx = dxhat.subColumnVector(meanD).subi(xhat.mulColumnVector(meanDX)).muliColumnVector(invStd);
                x.accumulate(dx);
            }
        }, x, gamma, beta);
    }

    // ---- indexing -------------------------------------------------------------------------------------------

    /** Rows {@code index[i]} of a 2-D {@code x} (the masked positions, the [CLS] rows, an embedding lookup). */
    public Var rows(Var x, int[] index) {
        long n = x.rows();
        for (int i : index) {
            if (i < 0 || i >= n) {
                throw new IndexOutOfBoundsException("row " + i + " outside [0, " + n + ")");
            }
        }
        INDArray y = Nd4j.pullRows(x.value(), 1, index);
        return result(y, g -> x.accumulate(scatterAddRows(g, index, x.shape())), x);
    }

    /**
     * The gradient of a row gather: row i of {@code g} added into row {@code index[i]} of a zero array of
     * {@code shape}. One pass over plain Java arrays; an ND4J call per row cost more than the rest of a small step.
     */
    static INDArray scatterAddRows(INDArray g, int[] index, long[] shape) {
        int cols = Math.toIntExact(shape[1]);
        int rows = Math.toIntExact(shape[0]);
        if (g.dataType() == DataType.DOUBLE) {
            double[] src = g.dup('c').data().asDouble();
            double[] dst = new double[rows * cols];
            for (int i = 0; i < index.length; i++) {
                int o = index[i] * cols;
                for (int j = 0; j < cols; j++) {
                    dst[o + j] += src[i * cols + j];
                }
            }
            return Nd4j.create(dst, shape, 'c');
        }
        float[] src = g.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] dst = new float[rows * cols];
        for (int i = 0; i < index.length; i++) {
            int o = index[i] * cols;
            for (int j = 0; j < cols; j++) {
                dst[o + j] += src[i * cols + j];
            }
        }
        return Nd4j.create(dst, shape, 'c');
    }

    /** Columns {@code [from, to)} of a 2-D {@code x} (e.g. the start and end logits of a span head). */
    public Var columns(Var x, int from, int to) {
        INDArray y = x.value().get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).dup();
        return result(y, g -> {
            INDArray dx = Nd4j.zeros(x.value().dataType(), x.shape());
            dx.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)).assign(g);
            x.accumulate(dx);
        }, x);
    }

    /** The same data with another shape (C order). */
    public Var reshape(Var x, long... shape) {
        long[] original = x.shape();
        return result(x.value().reshape(shape), g -> x.accumulate(g.reshape(original)), x);
    }

    // ---- attention ------------------------------------------------------------------------------------------

    /**
     * Scaled dot-product multi-head attention on already projected queries, keys and values.
     * {@code q} is {@code [batch * queryLen, hidden]}, {@code k} and {@code v} are {@code [batch * keyLen, hidden]};
     * {@code keyMask[b][j]} is 1 for a real key and 0 for padding (null: all real); {@code causal} hides keys
     * after each query (position i sees keys 0..i+offset, where offset = keyLen - queryLen, so a cached decoder
     * step sees its whole prefix). Returns the context {@code [batch * queryLen, hidden]}.
     */
    public Var attention(Var q, Var k, Var v, int batch, int heads, int[][] keyMask, boolean causal,
                         double dropout, Rng rng) {
        long hidden = q.columns();
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + " is not a multiple of " + heads + " heads");
        }
        int dh = (int) (hidden / heads);
        int lq = (int) (q.rows() / batch);
        int lk = (int) (k.rows() / batch);
        INDArray q3 = splitHeads(q.value(), batch, lq, heads, dh);
        INDArray k3 = splitHeads(k.value(), batch, lk, heads, dh);
        INDArray v3 = splitHeads(v.value(), batch, lk, heads, dh);
        double scale = 1 / Math.sqrt(dh);
        INDArray scores = Nd4j.matmul(q3, k3, null, false, true, false).muli(scale);
        INDArray bias = attentionBias(q.value().dataType(), batch, heads, lq, lk, keyMask, causal);
        if (bias != null) {
            scores.addi(bias);
        }
        INDArray probs = softmax(scores.reshape((long) batch * heads * lq, lk)).reshape((long) batch * heads, lq, lk);
        INDArray dropMask = null;
        INDArray used = probs;
        if (recording && dropout > 0) {
            dropMask = dropoutMask(probs.dataType(), probs.shape(), dropout, rng);
            used = probs.mul(dropMask);
        }
        INDArray ctx3 = Nd4j.matmul(used, v3);
        INDArray out = mergeHeads(ctx3, batch, lq, heads, dh);
        INDArray probsUsed = used;
        INDArray mask = dropMask;
        return result(out, g -> {
            INDArray g3 = splitHeads(g, batch, lq, heads, dh);
            if (v.requiresGrad()) {
                v.accumulate(mergeHeads(Nd4j.matmul(probsUsed, g3, null, true, false, false), batch, lk, heads, dh));
            }
            INDArray dUsed = Nd4j.matmul(g3, v3, null, false, true, false);
            INDArray dProbs = mask == null ? dUsed : dUsed.muli(mask);
            // softmax backward: dS = P * (dP - sum(dP * P, -1))
            INDArray p2 = probs.reshape((long) batch * heads * lq, lk);
            INDArray d2 = dProbs.reshape((long) batch * heads * lq, lk);
            INDArray dot = d2.mul(p2).sum(true, 1);
            INDArray dScores = d2.subColumnVector(dot).muli(p2).muli(scale).reshape((long) batch * heads, lq, lk);
            if (q.requiresGrad()) {
                q.accumulate(mergeHeads(Nd4j.matmul(dScores, k3), batch, lq, heads, dh));
            }
            if (k.requiresGrad()) {
                k.accumulate(mergeHeads(Nd4j.matmul(dScores, q3, null, true, false, false), batch, lk, heads, dh));
            }
        }, q, k, v);
    }

    /** [batch * len, heads * dh] -> [batch * heads, len, dh], contiguous. */
    static INDArray splitHeads(INDArray x, int batch, int len, int heads, int dh) {
        return x.reshape(batch, len, heads, dh).permute(0, 2, 1, 3).dup('c').reshape((long) batch * heads, len, dh);
    }

    /** [batch * heads, len, dh] -> [batch * len, heads * dh], contiguous. */
    static INDArray mergeHeads(INDArray x, int batch, int len, int heads, int dh) {
        return x.reshape(batch, heads, len, dh).permute(0, 2, 1, 3).dup('c').reshape((long) batch * len, (long) heads * dh);
    }

    /** Additive bias: a large negative number where a query must not see a key. */
    private static INDArray attentionBias(DataType type, int batch, int heads, int lq, int lk, int[][] keyMask,
                                          boolean causal) {
        if (keyMask == null && !causal) {
            return null;
        }
        // -1e4 as in BERT's reference code: exp underflows to exactly 0 in float32 after the max subtraction.
        double blocked = -10000.0;
        INDArray bias = Nd4j.zeros(type, (long) batch * heads, lq, lk);
        int offset = lk - lq;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < lq; i++) {
                for (int j = 0; j < lk; j++) {
                    boolean hidden = (keyMask != null && keyMask[b][j] == 0) || (causal && j > i + offset);
                    if (hidden) {
                        for (int h = 0; h < heads; h++) {
                            bias.putScalar(new long[] {(long) b * heads + h, i, j}, blocked);
                        }
                    }
                }
            }
        }
        return bias;
    }

    // ---- losses ---------------------------------------------------------------------------------------------

    /**
     * Softmax cross-entropy, averaged over the rows that have a label; {@code labels[i] < 0} ignores row i
     * (PyTorch's ignore_index). {@code classWeights} (null: all 1) weight each row by its label's weight and the
     * mean is taken over the summed weights, as PyTorch does. {@code labelSmoothing} mixes the one-hot target
     * with the uniform distribution.
     */
    public Var softmaxCrossEntropy(Var logits, int[] labels, float[] classWeights, double labelSmoothing) {
        INDArray z = logits.value();
        long n = z.rows();
        long c = z.columns();
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " rows of logits");
        }
        if (z.dataType() == DataType.FLOAT) {
            return fusedSoftmaxCrossEntropy(logits, labels, classWeights, labelSmoothing);
        }
        double[] weight = rowWeights(labels, classWeights, c);
        double totalWeight = java.util.Arrays.stream(weight).sum();
        INDArray logProbs = logSoftmax(z);
        INDArray target = Nd4j.zeros(z.dataType(), n, c);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0) {
                continue;
            }
            double w = weight[i];
            INDArray row = target.getRow(i);
            if (labelSmoothing > 0) {
                row.assign(w * labelSmoothing / c);
            }
            row.putScalar(y, row.getDouble(y) + w * (1 - labelSmoothing));
        }
        if (totalWeight == 0) {
            // No labelled row: a zero loss that still connects to the graph.
            return result(Nd4j.scalar(z.dataType(), 0.0), g -> { }, logits);
        }
        loss = -target.mul(logProbs).sumNumber().doubleValue() / totalWeight;
        double norm = totalWeight;
        return result(Nd4j.scalar(z.dataType(), loss), g -> {
            // d/dz of -sum_c t_c log softmax(z)_c = p * sum_c t_c - t
            INDArray probs = Nd4j.exec(new Exp(logProbs.dup()));
            INDArray rowWeight = target.sum(true, 1);
            INDArray dz = probs.muliColumnVector(rowWeight).subi(target).muli(g.getDouble(0) / norm);
            logits.accumulate(dz);
        }, logits);
    }

    /** Mean binary cross-entropy on logits (multi-label), targets in [0, 1], same shape as the logits. */
    public Var sigmoidCrossEntropy(Var logits, INDArray targets) {
        INDArray z = logits.value();
        if (!java.util.Arrays.equals(z.shape(), targets.shape())) {
            throw new IllegalArgumentException("targets shape " + java.util.Arrays.toString(targets.shape())
                    + " differs from logits " + java.util.Arrays.toString(z.shape()));
        }
        // Stable form: max(z, 0) - z t + log(1 + exp(-|z|))
        INDArray absZ = org.nd4j.linalg.ops.transforms.Transforms.abs(z, true);
        INDArray softplus = org.nd4j.linalg.ops.transforms.Transforms.log(
                Nd4j.exec(new Exp(absZ.negi())).addi(1), false);
        INDArray perElement = org.nd4j.linalg.ops.transforms.Transforms.max(z, 0.0, true).subi(z.mul(targets)).addi(softplus);
        long count = z.length();
        double loss = perElement.sumNumber().doubleValue() / count;
        return result(Nd4j.scalar(z.dataType(), loss), g -> {
            INDArray p = Nd4j.exec(new Sigmoid(z.dup()));
            logits.accumulate(p.subi(targets).muli(g.getDouble(0) / count));
        }, logits);
    }

    /** Each row's weight in the loss: its class weight (1 without them), 0 for an unlabelled row (label -1). */
    private static double[] rowWeights(int[] labels, float[] classWeights, long classes) {
        double[] weight = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int y = labels[i];
            if (y < 0) {
                continue;
            }
            if (y >= classes) {
                throw new IllegalArgumentException("label " + y + " outside [0, " + classes + ")");
            }
            weight[i] = classWeights == null ? 1 : classWeights[y];
        }
        return weight;
    }

    /**
     * {@link #softmaxCrossEntropy} for float32 logits in one pass over plain arrays: the reference path's half a
     * dozen logits-sized temporaries (a decoder's [target tokens x vocabulary] each) would otherwise be made per
     * step. The probabilities kept from the forward pass give the backward pass without a second exponential.
     */
    private Var fusedSoftmaxCrossEntropy(Var logits, int[] labels, float[] classWeights, double labelSmoothing) {
        INDArray z = logits.value();
        int n = (int) z.rows();
        int c = (int) z.columns();
        // The raw buffer is read as row-major [n, c]: anything else (views, 'f' order, transposes) is copied first.
        boolean rowMajor = z.ordering() == 'c' && !z.isView() && z.offset() == 0 && z.stride(1) == 1
                && z.stride(0) == c && z.data().length() == (long) n * c;
        float[] zf = (rowMajor ? z : z.dup('c')).data().asFloat();
        double[] weight = rowWeights(labels, classWeights, c);
        double totalWeight = java.util.Arrays.stream(weight).sum();
        if (totalWeight == 0) {
            return result(Nd4j.scalar(z.dataType(), 0.0), g -> { }, logits);
        }
        float[] probs = zf; // overwritten row by row with softmax(z): the copy is ours
        double[] rowLoss = new double[n];
        double smooth = labelSmoothing / c;
        dev.bertj.core.engine.Parallel.forRange(n, dev.bertj.core.engine.Parallel.rowsPerShare(8 * c), (from, to) -> {
            for (int i = from; i < to; i++) {
                int y = labels[i];
                int o = i * c;
                if (y < 0) {
                    java.util.Arrays.fill(probs, o, o + c, 0f);
                    continue;
                }
                float max = Float.NEGATIVE_INFINITY;
                double sumZ = 0;
                for (int j = 0; j < c; j++) {
                    max = Math.max(max, zf[o + j]);
                    sumZ += zf[o + j];
                }
                double zy = zf[o + y];
                double sum = 0;
                for (int j = 0; j < c; j++) {
                    float e = (float) Math.exp(zf[o + j] - max);
                    probs[o + j] = e;
                    sum += e;
                }
                double lse = max + Math.log(sum);
                // -sum_c t_c log p_c with t = (1 - eps) onehot(y) + eps / C
                rowLoss[i] = weight[i] * ((1 - labelSmoothing) * (lse - zy) + smooth * (c * lse - sumZ));
                float inv = (float) (1 / sum);
                for (int j = 0; j < c; j++) {
                    probs[o + j] *= inv;
                }
            }
        });
        double loss = 0;
        for (double l : rowLoss) {
            loss += l;
        }
        double norm = totalWeight;
        return result(Nd4j.scalar(z.dataType(), loss / norm), g -> {
            // d/dz of -sum_c t_c log softmax(z)_c = p * sum_c t_c - t, with sum_c t_c = w
            double scale = g.getDouble(0) / norm;
            dev.bertj.core.engine.Parallel.forRange(n, dev.bertj.core.engine.Parallel.rowsPerShare(2 * c), (from, to) -> {
                for (int i = from; i < to; i++) {
                    int y = labels[i];
                    if (y < 0) {
                        continue;
                    }
                    int o = i * c;
                    float a = (float) (scale * weight[i]);
                    float b = (float) (scale * weight[i] * smooth);
                    for (int j = 0; j < c; j++) {
                        probs[o + j] = a * probs[o + j] - b;
                    }
                    probs[o + y] -= (float) (scale * weight[i] * (1 - labelSmoothing));
                }
            });
            logits.accumulateOwned(Nd4j.create(probs, new long[] {n, c}, 'c'));
        }, logits);
    }

    /** Row-wise log-softmax of a 2-D array (no gradient; a helper for losses and decoding). */
    public static INDArray logSoftmax(INDArray z) {
        INDArray shifted = z.subColumnVector(z.max(true, 1));
        INDArray logSum = org.nd4j.linalg.ops.transforms.Transforms.log(
                Nd4j.exec(new Exp(shifted.dup())).sum(true, 1), false);
        return shifted.subiColumnVector(logSum);
    }

    /** Row-wise softmax of a 2-D array (no gradient). */
    public static INDArray softmax(INDArray z) {
        INDArray e = Nd4j.exec(new Exp(z.subColumnVector(z.max(true, 1))));
        return e.diviColumnVector(e.sum(true, 1));
    }
}
