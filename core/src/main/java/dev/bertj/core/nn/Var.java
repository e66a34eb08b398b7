package dev.bertj.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A value on a {@link Tape}: an array and, when it needs one, the gradient of the loss with respect to it.
 * A Var made from a {@link Parameter} accumulates its gradient straight into {@link Parameter#grad()}, so the
 * optimizer sees head and encoder gradients in one place.
 */
public final class Var {

    private final INDArray value;
    private final boolean requiresGrad;
    private final Parameter parameter;
    private INDArray grad;

    Var(INDArray value, boolean requiresGrad, Parameter parameter) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.parameter = parameter;
    }

    public INDArray value() {
        return value;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The parameter this Var stands for, or null. */
    public Parameter parameter() {
        return parameter;
    }

    public long[] shape() {
        return value.shape();
    }

    public long rows() {
        return value.size(0);
    }

    public long columns() {
        return value.size(value.rank() - 1);
    }

    /** The accumulated gradient, or null if nothing flowed into this Var. */
    public INDArray grad() {
        return parameter != null ? (parameter.hasGrad() ? parameter.grad() : null) : grad;
    }

    /** This Var's own gradient array (never a parameter's), for {@link Tape#release}. */
    INDArray ownGrad() {
        return grad;
    }

    /** Adds {@code g} to this Var's gradient (allocating it on first use). */
    void accumulate(INDArray g) {
        if (!requiresGrad) {
            return;
        }
        if (parameter != null) {
            parameter.grad().addi(g.reshape(parameter.grad().shape()));
        } else if (grad == null) {
            grad = g.dup();
        } else {
            grad.addi(g);
        }
    }

    /** {@link #accumulate} of an array made for this call alone, which becomes the gradient without a copy. */
    void accumulateOwned(INDArray g) {
        if (requiresGrad && parameter == null && grad == null) {
            grad = g;
        } else {
            accumulate(g);
        }
    }

    /** The gradient, or zeros of this Var's shape when nothing flowed in. */
    INDArray gradOrZeros() {
        INDArray g = grad();
        return g != null ? g : Nd4j.zeros(value.dataType(), value.shape());
    }

    @Override
    public String toString() {
        return (parameter != null ? parameter.name() : "var") + java.util.Arrays.toString(value.shape());
    }
}
