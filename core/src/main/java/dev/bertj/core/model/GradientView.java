package dev.bertj.core.model;

import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.Supplier;

/**
 * A parameter's gradient as a {@link Floats} window for the backward kernels, made once and reused every step;
 * null while the parameter is frozen, so the backward pass skips its gradient. For a fused group (query, key and
 * value in one matrix) it is the whole fused gradient, present when any part trains.
 */
final class GradientView {

    private final Parameter[] parts;
    private final Supplier<INDArray> memory;
    private Floats view;

    private GradientView(Parameter[] parts, Supplier<INDArray> memory) {
        this.parts = parts;
        this.memory = memory;
    }

    static GradientView of(Parameter p) {
        return new GradientView(new Parameter[] {p}, p::grad);
    }

    static GradientView of(Parameters.Fused fused) {
        return new GradientView(fused.parts(), fused.grad());
    }

    /** The gradient to accumulate into, or null when no part is trainable. */
    Floats get() {
        boolean trainable = false;
        for (Parameter p : parts) {
            trainable |= p.trainable();
        }
        if (!trainable) {
            return null;
        }
        if (view == null) {
            // Every part's own grad() first: that is how the trainer and optimizer learn the part has a gradient.
            for (Parameter p : parts) {
                p.grad();
            }
            view = Floats.of(memory.get());
        }
        return view;
    }
}
