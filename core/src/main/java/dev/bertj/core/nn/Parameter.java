package dev.bertj.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One trainable tensor: its Hugging Face name (the module path, so checkpoints map one-to-one onto code),
 * its value, its gradient buffer (allocated on first use, then reused every step) and whether AdamW's
 * decoupled weight decay applies (BERT exempts biases and LayerNorm parameters).
 */
public final class Parameter {

    private final String name;
    private final INDArray value;
    private final boolean weightDecay;
    private INDArray grad;
    private Supplier<INDArray> gradMemory;
    private boolean trainable = true;

    public Parameter(String name, INDArray value, boolean weightDecay) {
        this.name = name;
        this.value = value;
        this.weightDecay = weightDecay;
    }

    /** A parameter named after BERT's convention: no decay for biases and LayerNorm weights. */
    public static Parameter of(String name, INDArray value) {
        return new Parameter(name, value, decays(name));
    }

    private static boolean decays(String name) {
        boolean noDecay = name.endsWith(".bias") || name.contains("LayerNorm") || name.endsWith("_bias");
        return !noDecay;
    }

    /**
     * A parameter whose gradient lives in memory the caller provides on first use (same shape as the value): e.g.
     * a view into a fused gradient buffer, since the encoder keeps query, key and value in one [3H, H] matrix.
     * Inference never asks for gradients, so the memory is not allocated then.
     */
    public Parameter(String name, INDArray value, Supplier<INDArray> gradMemory, boolean weightDecay) {
        this(name, value, weightDecay);
        this.gradMemory = gradMemory;
    }

    /** BERT's weight-decay convention (no decay for biases and LayerNorm weights), gradient in given memory. */
    public static Parameter of(String name, INDArray value, Supplier<INDArray> gradMemory) {
        return new Parameter(name, value, gradMemory, decays(name));
    }

    public String name() {
        return name;
    }

    public INDArray value() {
        return value;
    }

    public boolean weightDecay() {
        return weightDecay;
    }

    /** Frozen parameters (e.g. the encoder under {@code --freeze-encoder}) get no gradient and no update. */
    public boolean trainable() {
        return trainable;
    }

    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
    }

    /** The gradient buffer, same shape as the value, zeroed on first allocation. */
    public INDArray grad() {
        if (grad == null) {
            if (gradMemory != null) {
                INDArray g = gradMemory.get();
                if (!Arrays.equals(g.shape(), value.shape())) {
                    throw new IllegalStateException(name + ": gradient memory has shape "
                            + Arrays.toString(g.shape()) + ", value " + Arrays.toString(value.shape()));
                }
                grad = g;
            } else {
                grad = Nd4j.zeros(value.dataType(), value.shape());
            }
        }
        return grad;
    }

    public boolean hasGrad() {
        return grad != null;
    }

    public long size() {
        return value.length();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(value.shape());
    }
}
