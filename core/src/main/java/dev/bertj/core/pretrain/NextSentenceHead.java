package dev.bertj.core.pretrain;

import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Next-sentence prediction ({@code cls.seq_relationship}, HF's {@code BertOnlyNSPHead}): a linear layer from the
 * pooled [CLS] output to two scores, label 0 = IsNext, 1 = a random next segment.
 */
public final class NextSentenceHead {

    public static final String WEIGHT = "cls.seq_relationship.weight";
    public static final String BIAS = "cls.seq_relationship.bias";

    private final Parameter weight;
    private final Parameter bias;
    private final int hidden;
    private final Floats w;
    private final Floats b;
    private Floats dW;
    private Floats dB;

    public NextSentenceHead(int hidden) {
        this.hidden = hidden;
        weight = Parameter.of(WEIGHT, Nd4j.create(DataType.FLOAT, 2, hidden));
        bias = Parameter.of(BIAS, Nd4j.create(DataType.FLOAT, 2));
        w = Floats.of(weight.value());
        b = Floats.of(bias.value());
    }

    /** Weights from N(0, {@code std}), bias 0 (Hugging Face's initialisation). */
    public void initialize(Rng rng, double std) {
        for (int i = 0; i < 2 * hidden; i++) {
            w.set(i, (float) (rng.nextGaussian() * std));
        }
        b.fill(0f);
    }

    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    /** {@code logits [batch, 2] = pooled [batch, H] . W^T + b}. */
    public void forward(Floats pooled, int batch, Floats logits) {
        FloatBuffer out = logits.buffer();
        for (int r = 0; r < batch; r++) {
            out.put(2 * r, b.get(0));
            out.put(2 * r + 1, b.get(1));
        }
        Gemm.linear(pooled, 0, w, logits, 0, batch, hidden, 2, 1f);
    }

    /**
     * From {@code dLogits [batch, 2]}: the weight and bias gradients are ADDED (when trainable), and
     * {@code dPooled [batch, H]} is written.
     */
    public void backward(Floats pooled, Floats dLogits, int batch, Floats dPooled) {
        if (weight.trainable()) {
            if (dW == null) {
                dW = Floats.of(weight.grad());
            }
            Gemm.linearWeightGrad(dLogits, pooled, dW, batch, hidden, 2);
        }
        if (bias.trainable()) {
            if (dB == null) {
                dB = Floats.of(bias.grad());
            }
            for (int r = 0; r < batch; r++) {
                dB.set(0, dB.get(0) + dLogits.get(2 * r));
                dB.set(1, dB.get(1) + dLogits.get(2 * r + 1));
            }
        }
        Gemm.linearInputGrad(dLogits, w, dPooled, batch, hidden, 2, 0f);
    }
}
