package dev.bertj.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
    private boolean trainable = true;

    public Parameter(String name, INDArray value, boolean weightDecay) {
        this.name = name;
        this.value = value;
        this.weightDecay = weightDecay;
    }

    /** A parameter named after BERT's convention: no decay for biases and LayerNorm weights. */
    public static Parameter of(String name, INDArray value) {
        boolean noDecay = name.endsWith(".bias") || name.contains("LayerNorm") || name.endsWith("_bias");
        return new Parameter(name, value, !noDecay);
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
            grad = Nd4j.zeros(value.dataType(), value.shape());
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
        return name + java.util.Arrays.toString(value.shape());
    }
}
