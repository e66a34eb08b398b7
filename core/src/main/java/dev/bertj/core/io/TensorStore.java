package dev.bertj.core.io;

import java.nio.FloatBuffer;
import java.util.Set;

/**
 * A read-only set of named tensors: a safetensors file, a TF checkpoint, an ONNX file's initializers, or a
 * view of one of them renamed to Hugging Face names. Readers convert to float32 while copying into the
 * caller's buffer, so a 440 MB checkpoint is never held twice.
 */
public interface TensorStore extends AutoCloseable {

    /** Where the tensors come from (a file path), for error messages. */
    String source();

    /** Tensor names in storage order. */
    Set<String> names();

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** @throws CheckpointException naming the source and the tensor when there is no such tensor. */
    TensorInfo info(String name);

    /**
     * Copies the tensor, converted to float32, in row-major order into {@code dst} starting at its position;
     * the position advances by {@code info(name).size()}.
     *
     * @throws CheckpointException naming the source and the tensor if it is missing, truncated or corrupt,
     *                             or if {@code dst} has too little room
     */
    void readFloats(String name, FloatBuffer dst);

    /** The tensor as a new float32 array (for small tensors and tests). */
    default float[] readFloats(String name) {
        long n = info(name).size();
        if (n > Integer.MAX_VALUE) {
            throw new CheckpointException(source() + ": tensor " + name + " has " + n + " elements, too many for one array");
        }
        float[] out = new float[(int) n];
        readFloats(name, FloatBuffer.wrap(out));
        return out;
    }

    @Override
    void close();
}
