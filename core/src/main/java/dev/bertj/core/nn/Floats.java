package dev.bertj.core.nn;

import dev.bertj.core.engine.CpuSetup;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * A run of float32 values in native memory, seen two ways: as an address that BLAS reads and writes, and as a
 * {@link FloatBuffer} that the fused Java loops (LayerNorm, GELU, softmax, bias adds) walk. Either allocated here
 * (activations, backed by an ND4J array so one allocator owns all native memory) or a window on an existing
 * ND4J array (parameters and their gradients).
 */
public final class Floats {

    private final INDArray owner;
    private final boolean owned;
    private final long address;
    private final int length;
    private final FloatBuffer buffer;

    private Floats(INDArray owner, boolean owned, long address, int length) {
        this.owner = owner;
        this.owned = owned;
        this.address = address;
        this.length = length;
        this.buffer = length == 0 ? FloatBuffer.allocate(0) : new AddressPointer().at(address, length).asBuffer();
    }

    /** {@code length} zeros in fresh native memory. */
    public static Floats allocate(long length) {
        CpuSetup.ensure();
        if (length < 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot allocate " + length + " floats in one buffer");
        }
        INDArray a = Nd4j.create(DataType.FLOAT, Math.max(1, length));
        return new Floats(a, true, a.data().address(), (int) length);
    }

    /** The memory of an ND4J float32 array, which must be contiguous in row-major order (a view is fine). */
    public static Floats of(INDArray array) {
        if (array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("expected a float32 array, got " + array.dataType());
        }
        if (array.length() > 1 && (array.elementWiseStride() != 1 || (array.rank() > 1 && array.ordering() != 'c'))) {
            throw new IllegalArgumentException("expected a contiguous row-major array, got "
                    + array.shapeInfoToString());
        }
        if (array.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array of " + array.length() + " floats is too long for one buffer");
        }
        long address = array.data().address() + 4L * array.offset();
        return new Floats(array, false, address, (int) array.length());
    }

    /** Address of element 0, for BLAS. */
    public long address() {
        return address;
    }

    /** Address of element {@code index}. */
    public long address(long index) {
        return address + 4L * index;
    }

    public int length() {
        return length;
    }

    /** The values as a direct buffer in native byte order; index 0 is element 0. Share it only within one thread. */
    public FloatBuffer buffer() {
        return buffer;
    }

    /** The ND4J array holding this memory (for allocated buffers, a flat array of at least {@link #length()}). */
    public INDArray array() {
        return owner;
    }

    public float get(int i) {
        return buffer.get(i);
    }

    public void set(int i, float v) {
        buffer.put(i, v);
    }

    public void fill(float value) {
        for (int i = 0; i < length; i++) {
            buffer.put(i, value);
        }
    }

    public void copyTo(int from, float[] dst, int dstOffset, int n) {
        buffer.get(from, dst, dstOffset, n);
    }

    public void copyFrom(float[] src, int srcOffset, int to, int n) {
        buffer.put(to, src, srcOffset, n);
    }

    /** Copies {@code n} values starting at {@code from} in {@code src} to {@code to} here (a memcpy). */
    public void copyFrom(Floats src, int from, int to, int n) {
        buffer.put(to, src.buffer, from, n);
    }

    public float[] toArray() {
        float[] out = new float[length];
        buffer.get(0, out, 0, length);
        return out;
    }

    /** Frees memory this class allocated; a window on someone else's array is left alone. */
    public void release() {
        if (owned && owner.closeable() && !owner.wasClosed()) {
            owner.close();
        }
    }

    /** A {@link FloatPointer} whose address we set, so we can point BLAS anywhere without allocating. */
    static final class AddressPointer extends FloatPointer {
        AddressPointer at(long address, long length) {
            this.address = address;
            this.position = 0;
            this.limit = length;
            this.capacity = length;
            return this;
        }
    }
}
