package dev.bertj.core.train;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Direct float views over ND4J arrays, for the fused loops of the optimizer and the checkpoint writer. */
final class FloatBuffers {

    private FloatBuffers() {
    }

    /**
     * A direct buffer over exactly the elements of {@code array} in row-major order (position 0, limit = length),
     * sharing its memory. Views are fine as long as they are contiguous.
     *
     * @param what names the array in error messages (e.g. "gradient of encoder.layer.0.output.dense.weight")
     * @throws IllegalArgumentException if the array is not float32 or not contiguous in row-major order
     */
    static FloatBuffer of(INDArray array, String what) {
        if (array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException(what + " must be FLOAT (float32), is " + array.dataType());
        }
        long length = array.length();
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " has " + length + " elements, more than one buffer holds");
        }
        if (length > 1 && (array.ordering() != 'c' && array.rank() > 1 || array.elementWiseStride() != 1)) {
            throw new IllegalArgumentException(what + " must be contiguous in row-major order (shape "
                    + java.util.Arrays.toString(array.shape()) + ", order " + array.ordering()
                    + ", element-wise stride " + array.elementWiseStride() + ")");
        }
        FloatBuffer whole = array.data().asNioFloat();
        // ND4J returns the whole underlying allocation for views; the view starts at offset().
        long base = whole.capacity() == length ? 0 : array.offset();
        if (base < 0 || base + length > whole.capacity()) {
            throw new IllegalArgumentException(what + ": cannot locate its " + length + " elements in a buffer of "
                    + whole.capacity() + " (offset " + array.offset() + ")");
        }
        FloatBuffer view = whole.position((int) base).limit((int) (base + length)).slice();
        if (length > 0 && (Float.compare(view.get(0), array.getFloat(0)) != 0
                || Float.compare(view.get((int) length - 1), array.getFloat(length - 1)) != 0)) {
            throw new IllegalStateException(what + ": its direct buffer does not line up with its elements");
        }
        return view;
    }
}
