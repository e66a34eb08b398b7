package dev.bertj.core.nn.modules;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** A dense layer {@code y = x W^T + b} with a Hugging Face-style weight {@code [out, in]} named {@code <name>.weight}. */
public final class Linear {

    private final Parameter weight;
    private final Parameter bias;

    public Linear(Parameter weight, Parameter bias) {
        if (weight.value().rank() != 2) {
            throw new IllegalArgumentException(weight.name() + ": a linear weight must be 2-D, got rank " + weight.value().rank());
        }
        if (bias != null && bias.value().length() != weight.value().size(0)) {
            throw new IllegalArgumentException(bias.name() + ": " + bias.value().length() + " biases for "
                    + weight.value().size(0) + " outputs");
        }
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * A fresh layer initialised as BERT does: weights from a normal distribution with standard deviation
     * {@code std} (initializer_range, 0.02), biases zero.
     */
    public static Linear create(String name, int in, int out, boolean withBias, double std, Rng rng) {
        Parameter w = Parameter.of(name + ".weight", Init.normal(new long[] {out, in}, std, rng));
        Parameter b = withBias ? Parameter.of(name + ".bias", Nd4j.zeros(DataType.FLOAT, out)) : null;
        return new Linear(w, b);
    }

    public Var forward(Tape tape, Var x) {
        return tape.linear(x, tape.param(weight), bias == null ? null : tape.param(bias));
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int in() {
        return (int) weight.value().size(1);
    }

    public int out() {
        return (int) weight.value().size(0);
    }

    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
