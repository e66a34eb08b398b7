package dev.bertj.core.nn;

import dev.bertj.core.engine.CpuSetup;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * All trainable tensors of a model under their Hugging Face names, in registration (checkpoint) order: llm.c's
 * one parameter struct. Modules register what they own; loaders, savers and the optimizer walk the list.
 */
public final class Parameters {

    private final Map<String, Parameter> byName = new LinkedHashMap<>();

    public Parameters() {
        CpuSetup.ensure();
    }

    /** A new zero-filled parameter of the given shape. */
    public Parameter create(String name, long... shape) {
        return register(Parameter.of(name, Nd4j.create(DataType.FLOAT, shape)));
    }

    /**
     * Parameters stored as consecutive row blocks of one matrix (or vector) so a single GEMM computes them all:
     * {@code names.length} blocks of {@code rows} rows, each of shape [rows, cols] ([rows] when {@code cols} is
     * 0). Each returned parameter's value and gradient are views of the fused value and the fused gradient
     * (the latter allocated the first time any gradient is asked for). Returns the fused value first.
     */
    public Fused fused(String[] names, long rows, long cols) {
        long total = rows * names.length;
        long[] shape = cols == 0 ? new long[] {total} : new long[] {total, cols};
        INDArray value = Nd4j.create(DataType.FLOAT, shape);
        Supplier<INDArray> grad = new Supplier<>() {
            private INDArray memory;

            @Override
            public synchronized INDArray get() {
                if (memory == null) {
                    memory = Nd4j.create(DataType.FLOAT, shape);
                }
                return memory;
            }
        };
        Parameter[] parts = new Parameter[names.length];
        for (int i = 0; i < names.length; i++) {
            long from = i * rows;
            long to = from + rows;
            parts[i] = register(Parameter.of(names[i], block(value, from, to, cols), () -> block(grad.get(), from, to, cols)));
        }
        return new Fused(value, grad, parts);
    }

    /** A fused parameter group: the whole value, the whole gradient (allocated on first use), the parts. */
    public record Fused(INDArray value, Supplier<INDArray> grad, Parameter[] parts) {
    }

    private static INDArray block(INDArray a, long from, long to, long cols) {
        INDArrayIndex rows = NDArrayIndex.interval(from, to);
        return cols == 0 ? a.get(rows) : a.get(rows, NDArrayIndex.all());
    }

    private Parameter register(Parameter p) {
        if (byName.putIfAbsent(p.name(), p) != null) {
            throw new IllegalArgumentException("parameter " + p.name() + " registered twice");
        }
        return p;
    }

    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return p;
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public List<Parameter> list() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public long count() {
        return byName.values().stream().mapToLong(Parameter::size).sum();
    }

    @Override
    public String toString() {
        return byName.size() + " tensors, " + count() + " values: " + Arrays.toString(byName.keySet().toArray());
    }
}
