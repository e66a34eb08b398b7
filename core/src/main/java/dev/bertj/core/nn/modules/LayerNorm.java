package dev.bertj.core.nn.modules;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** LayerNorm over the feature dimension with {@code <name>.weight} (gamma) and {@code <name>.bias} (beta). */
public final class LayerNorm {

    private final Parameter gamma;
    private final Parameter beta;
    private final double eps;

    public LayerNorm(Parameter gamma, Parameter beta, double eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    /** Fresh: gamma 1, beta 0. */
    public static LayerNorm create(String name, int size, double eps) {
        return new LayerNorm(Parameter.of(name + ".weight", Nd4j.ones(DataType.FLOAT, size)),
                Parameter.of(name + ".bias", Nd4j.zeros(DataType.FLOAT, size)), eps);
    }

    public Var forward(Tape tape, Var x) {
        return tape.layerNorm(x, tape.param(gamma), tape.param(beta), eps);
    }

    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }
}
