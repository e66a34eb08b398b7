package dev.bertj.core.nn.modules;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;

import java.util.List;

/** A lookup table {@code [size, dim]}; looking up ids selects rows, and its gradient scatters back into them. */
public final class Embedding {

    private final Parameter table;

    public Embedding(Parameter table) {
        this.table = table;
    }

    public static Embedding create(String name, int size, int dim, double std, Rng rng) {
        return new Embedding(Parameter.of(name + ".weight", Init.normal(new long[] {size, dim}, std, rng)));
    }

    public Var forward(Tape tape, int[] ids) {
        return tape.rows(tape.param(table), ids);
    }

    /** The table as a Var, e.g. to tie an output projection to it. */
    public Var table(Tape tape) {
        return tape.param(table);
    }

    public Parameter parameter() {
        return table;
    }

    public int size() {
        return (int) table.value().size(0);
    }

    public int dim() {
        return (int) table.value().size(1);
    }

    public List<Parameter> parameters() {
        return List.of(table);
    }
}
