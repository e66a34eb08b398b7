package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Activation;
import dev.bertj.core.nn.Bias;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Kernels;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;
import dev.bertj.core.nn.Scratch;

import java.nio.FloatBuffer;

/** The first half of the position-wise feed-forward network: {@code act(dense(x))}, widening H to I. */
public final class BertIntermediate {

    final Parameter denseWeight;
    final Parameter denseBias;
    private final Floats weight;
    private final Floats bias;
    private final GradientView weightGrad;
    private final GradientView biasGrad;
    private final Activation activation;
    private final int hidden;
    private final int intermediate;

    BertIntermediate(BertConfig config, Parameters params, String prefix) {
        hidden = config.hiddenSize();
        intermediate = config.intermediateSize();
        activation = Activation.of(config.hiddenAct());
        denseWeight = params.create(prefix + "dense.weight", intermediate, hidden);
        denseBias = params.create(prefix + "dense.bias", intermediate);
        weight = Floats.of(denseWeight.value());
        bias = Floats.of(denseBias.value());
        weightGrad = GradientView.of(denseWeight);
        biasGrad = GradientView.of(denseBias);
    }

    /**
     * {@code a.attentionOut [T, H]} to {@code a.activated}. {@code a.intermediate} receives the dense output first;
     * in training it then keeps the activation's derivative there (all the backward pass needs of it).
     */
    void forward(BertActivations act, BertActivations.Layer a) {
        Gemm.linear(a.attentionOut, 0, weight, a.intermediate, 0, act.tokens, hidden, intermediate, 0f);
        boolean training = a.activated != a.intermediate;
        Parallel.forRange(act.tokens, Parallel.rowsPerShare(4 * intermediate), (from, to) -> {
            Scratch scratch = Scratch.get();
            float[] b = scratch.row(0, intermediate);
            float[] u = scratch.row(1, intermediate);
            float[] derivative = training ? scratch.row(2, intermediate) : null;
            FloatBuffer pre = a.intermediate.buffer();
            FloatBuffer out = a.activated.buffer();
            bias.buffer().get(0, b, 0, intermediate);
            for (int r = from; r < to; r++) {
                int o = r * intermediate;
                pre.get(o, u, 0, intermediate);
                Kernels.add(u, b, intermediate);
                if (training) {
                    activation.applyWithDerivative(u, u, derivative, intermediate);
                    pre.put(o, derivative, 0, intermediate);
                } else {
                    Kernels.activation(activation, u, u, intermediate);
                }
                out.put(o, u, 0, intermediate);
            }
        });
    }

    /**
     * Backward from {@code g.intermediate} = d(activated) [T, I], turned in place into d(pre-activation) by the
     * activation's derivative (the exact erf GELU's {@code Phi(u) + u phi(u)}); the input gradient is ADDED to
     * {@code dX} [T, H], which holds the residual branch's gradient of the attention block output.
     */
    void backward(BertActivations act, BertActivations.Layer a, Floats dX, BertBackwardBuffers g) {
        int t = act.tokens;
        Floats dPre = g.intermediate;
        // The training forward left the activation's derivative in a.intermediate.
        Parallel.forRange(t, 4, (from, to) -> {
            Scratch scratch = Scratch.get();
            float[] d = scratch.row(0, intermediate);
            float[] derivative = scratch.row(1, intermediate);
            FloatBuffer dBuffer = dPre.buffer();
            FloatBuffer derivatives = a.intermediate.buffer();
            for (int r = from; r < to; r++) {
                int o = r * intermediate;
                dBuffer.get(o, d, 0, intermediate);
                derivatives.get(o, derivative, 0, intermediate);
                Kernels.mul(d, derivative, intermediate);
                dBuffer.put(o, d, 0, intermediate);
            }
        });
        Floats dB = biasGrad.get();
        if (dB != null) {
            Bias.backward(dPre, t, intermediate, dB);
        }
        Floats dW = weightGrad.get();
        if (dW != null) {
            Gemm.linearWeightGrad(dPre, a.attentionOut, dW, t, hidden, intermediate);
        }
        Gemm.linearInputGrad(dPre, weight, dX, t, hidden, intermediate, 1f);
    }
}
