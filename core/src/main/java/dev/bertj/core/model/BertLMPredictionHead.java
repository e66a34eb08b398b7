package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Activation;
import dev.bertj.core.nn.Bias;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.LayerNorm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;

import java.nio.FloatBuffer;

import static dev.bertj.core.model.BertEmbeddings.buf;

/**
 * The masked-LM prediction head ({@code cls.predictions}): a transform {@code LayerNorm(act(dense(h)))}, then a
 * decoder tied to the word embeddings plus an output bias, giving a score for every vocabulary entry. Only the
 * positions asked for are computed (the masked ones): [positions, vocab] instead of [T, vocab].
 */
public final class BertLMPredictionHead {

    final Parameter transformWeight;
    final Parameter transformBias;
    final Parameter layerNormWeight;
    final Parameter layerNormBias;
    final Parameter outputBias;
    private final Floats weight;
    private final Floats bias;
    private final Floats gamma;
    private final Floats beta;
    private final Floats decoderBias;
    private final Floats decoder;
    private final BertEmbeddings embeddings;
    private final GradientView weightGrad;
    private final GradientView biasGrad;
    private final GradientView gammaGrad;
    private final GradientView betaGrad;
    private final GradientView decoderBiasGrad;
    private final Activation activation;
    private final int hidden;
    private final int vocab;
    private final double eps;

    BertLMPredictionHead(BertConfig config, Parameters params, String prefix, BertEmbeddings embeddings) {
        hidden = config.hiddenSize();
        vocab = config.vocabSize();
        eps = config.layerNormEps();
        activation = Activation.of(config.hiddenAct());
        transformWeight = params.create(prefix + "transform.dense.weight", hidden, hidden);
        transformBias = params.create(prefix + "transform.dense.bias", hidden);
        layerNormWeight = params.create(prefix + "transform.LayerNorm.weight", hidden);
        layerNormBias = params.create(prefix + "transform.LayerNorm.bias", hidden);
        outputBias = params.create(prefix + "bias", vocab);
        weight = Floats.of(transformWeight.value());
        bias = Floats.of(transformBias.value());
        gamma = Floats.of(layerNormWeight.value());
        beta = Floats.of(layerNormBias.value());
        decoderBias = Floats.of(outputBias.value());
        decoder = embeddings.wordMatrix();
        this.embeddings = embeddings;
        weightGrad = GradientView.of(transformWeight);
        biasGrad = GradientView.of(transformBias);
        gammaGrad = GradientView.of(layerNormWeight);
        betaGrad = GradientView.of(layerNormBias);
        decoderBiasGrad = GradientView.of(outputBias);
    }

    /** The head's buffers for up to {@code capacity} predicted positions. */
    public static final class Activations implements AutoCloseable {
        final int capacity;
        int count;
        final Floats input;       // [n, H] gathered hidden states
        final Floats transformed; // [n, H] dense + bias, before the activation
        final Floats activated;   // [n, H] after the activation: LayerNorm input
        final Floats normalized;  // [n, H]
        final Floats mean;        // [n]
        final Floats rstd;        // [n]
        final Floats logits;      // [n, vocab]; before backward: d(loss)/d(logits), written by the loss
        final Floats dNormalized; // [n, H] backward: d(normalized), then d(activated), then d(transformed)
        final Floats dInput;      // [n, H] backward: d(input)

        Activations(int capacity, int hidden, int vocab) {
            this.capacity = capacity;
            input = Floats.allocate((long) capacity * hidden);
            transformed = Floats.allocate((long) capacity * hidden);
            activated = Floats.allocate((long) capacity * hidden);
            normalized = Floats.allocate((long) capacity * hidden);
            mean = Floats.allocate(capacity);
            rstd = Floats.allocate(capacity);
            logits = Floats.allocate((long) capacity * vocab);
            dNormalized = Floats.allocate((long) capacity * hidden);
            dInput = Floats.allocate((long) capacity * hidden);
        }

        /** How many positions the last forward pass computed. */
        public int count() {
            return count;
        }

        public int capacity() {
            return capacity;
        }

        /** Logits [count, vocab], row-major, valid after a forward pass. */
        public Floats logits() {
            return logits;
        }

        @Override
        public void close() {
            for (Floats f : new Floats[] {input, transformed, activated, normalized, mean, rstd, logits, dNormalized,
                dInput}) {
                f.release();
            }
        }
    }

    public Activations newActivations(int capacity) {
        return new Activations(capacity, hidden, vocab);
    }

    /** Logits for rows {@code rows} (indices into the [T, H] hidden states) of {@code hiddenStates}. */
    void forward(Floats hiddenStates, int[] rows, Activations a) {
        forward(hiddenStates, rows, rows.length, a);
    }

    /** Logits for the first {@code n} entries of {@code rows}. */
    void forward(Floats hiddenStates, int[] rows, int n, Activations a) {
        if (n > a.capacity) {
            throw new IllegalArgumentException(n + " positions, workspace holds " + a.capacity);
        }
        a.count = n;
        for (int i = 0; i < n; i++) {
            a.input.copyFrom(hiddenStates, rows[i] * hidden, i * hidden, hidden);
        }
        Gemm.linear(a.input, 0, weight, a.transformed, 0, n, hidden, hidden, 0f);
        FloatBuffer pre = a.transformed.buffer();
        FloatBuffer act = a.activated.buffer();
        FloatBuffer b = bias.buffer();
        for (int i = 0; i < n * hidden; i++) {
            float u = pre.get(i) + b.get(i % hidden);
            pre.put(i, u);
            act.put(i, activation.apply(u));
        }
        LayerNorm.forward(act, null, null, null, a.normalized.buffer(), gamma.buffer(), beta.buffer(), buf(a.mean),
                buf(a.rstd), hidden, eps, 0, n);
        Parallel.forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                a.logits.copyFrom(decoderBias, 0, i * vocab, vocab);
            }
        });
        Gemm.linear(a.normalized, 0, decoder, a.logits, 0, n, hidden, vocab, 1f);
    }

    /**
     * Backward for the {@code a.count()} positions of the last forward pass, starting from d(loss)/d(logits),
     * which the loss wrote into {@code a.logits()}: the output bias and the tied decoder (its gradient ADDS into the
     * word embeddings' gradient), LayerNorm, the activation and the transform; each position's input gradient is
     * ADDED to row {@code rows[i]} of {@code dHiddenStates} [T, H].
     */
    void backward(Activations a, int[] rows, Floats dHiddenStates) {
        int n = a.count;
        if (n == 0) {
            return;
        }
        Floats dLogits = a.logits;
        Floats dOutputBias = decoderBiasGrad.get();
        if (dOutputBias != null) {
            Bias.backward(dLogits, n, vocab, dOutputBias);
        }
        Floats dDecoder = embeddings.wordGradient();
        if (dDecoder != null) {
            Gemm.linearWeightGrad(dLogits, a.normalized, dDecoder, n, hidden, vocab);
        }
        Gemm.linearInputGrad(dLogits, decoder, a.dNormalized, n, hidden, vocab, 0f);
        FloatBuffer d = a.dNormalized.buffer();
        Floats dGamma = gammaGrad.get();
        Floats dBeta = betaGrad.get();
        LayerNorm.backwardParams(d, a.activated.buffer(), a.mean.buffer(), a.rstd.buffer(), buf(dGamma), buf(dBeta),
                hidden, n, 0, hidden);
        LayerNorm.backward(d, a.activated.buffer(), a.mean.buffer(), a.rstd.buffer(), gamma.buffer(), d, null, null,
                hidden, 0, n);
        FloatBuffer pre = a.transformed.buffer();
        for (int i = 0; i < n * hidden; i++) {
            d.put(i, d.get(i) * activation.derivative(pre.get(i)));
        }
        Floats dB = biasGrad.get();
        if (dB != null) {
            Bias.backward(a.dNormalized, n, hidden, dB);
        }
        Floats dW = weightGrad.get();
        if (dW != null) {
            Gemm.linearWeightGrad(a.dNormalized, a.input, dW, n, hidden, hidden);
        }
        Gemm.linearInputGrad(a.dNormalized, weight, a.dInput, n, hidden, hidden, 0f);
        FloatBuffer dIn = a.dInput.buffer();
        FloatBuffer dh = dHiddenStates.buffer();
        for (int i = 0; i < n; i++) {
            int o = rows[i] * hidden;
            for (int j = 0; j < hidden; j++) {
                dh.put(o + j, dh.get(o + j) + dIn.get(i * hidden + j));
            }
        }
    }
}
