package dev.bertj.core.io;

import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A tensor store whose tensors are computed on read from another source: renamed, transposed, dequantized.
 * Importers build one with Hugging Face names over a TF checkpoint or an ONNX file; nothing is materialized
 * until a tensor is read, and every tensor reads as float32.
 */
public final class DerivedTensorStore implements TensorStore {

    /** Produces a tensor's float32 values, row-major, into {@code dst}. */
    @FunctionalInterface
    public interface Reader {
        void read(FloatBuffer dst);
    }

    private record Derived(TensorInfo info, Reader reader) {
    }

    private final String source;
    private final AutoCloseable underlying;
    private final Map<String, Derived> tensors = new LinkedHashMap<>();

    /** @param underlying closed with this store (may be null) */
    public DerivedTensorStore(String source, AutoCloseable underlying) {
        this.source = source;
        this.underlying = underlying;
    }

    public DerivedTensorStore put(String name, long[] shape, Reader reader) {
        if (tensors.containsKey(name)) {
            throw new CheckpointException(source + ": two tensors map to the name " + name);
        }
        tensors.put(name, new Derived(new TensorInfo(name, DType.F32, shape.clone()), reader));
        return this;
    }

    /** Exposes {@code from} of {@code store} as {@code name}, unchanged. */
    public DerivedTensorStore rename(String name, TensorStore store, String from) {
        return put(name, store.info(from).shape(), dst -> store.readFloats(from, dst));
    }

    /** Exposes the 2-D tensor {@code from} [rows, cols] of {@code store} as {@code name} [cols, rows]. */
    public DerivedTensorStore transpose(String name, TensorStore store, String from) {
        long[] s = store.info(from).shape();
        if (s.length != 2) {
            throw new CheckpointException(store.source() + ": tensor " + from + " has shape " + java.util.Arrays.toString(s)
                    + ", expected 2 dimensions");
        }
        return put(name, new long[] {s[1], s[0]}, dst -> transpose(store.readFloats(from), (int) s[0], (int) s[1], dst));
    }

    /** Writes the transpose of the row-major [rows, cols] matrix {@code m} into {@code dst}. */
    public static void transpose(float[] m, int rows, int cols, FloatBuffer dst) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = m[base + c];
            }
        }
        dst.put(t);
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    @Override
    public TensorInfo info(String name) {
        return derived(name).info;
    }

    @Override
    public void readFloats(String name, FloatBuffer dst) {
        Derived d = derived(name);
        long n = d.info.size();
        if (dst.remaining() < n) {
            throw new CheckpointException(source + ": tensor " + name + " has " + n
                    + " elements but the buffer has room for " + dst.remaining());
        }
        int start = dst.position();
        d.reader.read(dst);
        if (dst.position() - start != n) {
            throw new CheckpointException(source + ": tensor " + name + " produced " + (dst.position() - start)
                    + " values, expected " + n);
        }
    }

    private Derived derived(String name) {
        Derived d = tensors.get(name);
        if (d == null) {
            throw new CheckpointException(source + ": no tensor named " + name);
        }
        return d;
    }

    @Override
    public void close() {
        if (underlying != null) {
            try {
                underlying.close();
            } catch (Exception e) {
                throw new CheckpointException(source + ": close failed: " + e, e);
            }
        }
    }
}
