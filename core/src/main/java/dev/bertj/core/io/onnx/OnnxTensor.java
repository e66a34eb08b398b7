package dev.bertj.core.io.onnx;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.HalfFloats;
import dev.bertj.core.io.ProtoReader;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One ONNX {@code TensorProto}: an initializer or a Constant's value. Raw data stays a view into the model
 * buffer; typed fields ({@code float_data}, {@code int32_data}, {@code int64_data}, {@code double_data}) are
 * decoded as read.
 */
public final class OnnxTensor {

    // TensorProto.DataType values used by BERT exports.
    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int UINT16 = 4;
    public static final int INT16 = 5;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int BOOL = 9;
    public static final int FLOAT16 = 10;
    public static final int DOUBLE = 11;
    public static final int UINT32 = 12;
    public static final int UINT64 = 13;
    public static final int BFLOAT16 = 16;

    private final String source;
    private String name = "";
    private int dataType;
    private long[] dims = new long[0];
    private ByteBuffer raw;
    private float[] floatData;
    private long[] intData;
    private double[] doubleData;
    private boolean external;

    private OnnxTensor(String source) {
        this.source = source;
    }

    static OnnxTensor parse(ProtoReader r, String source) {
        OnnxTensor t = new OnnxTensor(source);
        LongList dims = new LongList();
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        DoubleList doubles = new DoubleList();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> r.varints(dims::add);
                case 2 -> t.dataType = (int) r.varint();
                case 4 -> r.floats(floats::add);
                case 5, 7, 11 -> r.varints(ints::add); // int32_data, int64_data, uint64_data
                case 8 -> t.name = r.string();
                case 9 -> t.raw = r.bytes();
                case 10 -> r.doubles(doubles::add);
                case 13 -> {
                    t.external = true;
                    r.skip();
                }
                case 14 -> t.external |= r.varint() == 1;
                default -> r.skip();
            }
        }
        t.dims = dims.toArray();
        t.floatData = floats.size() > 0 ? floats.toArray() : null;
        t.intData = ints.size() > 0 ? ints.toArray() : null;
        t.doubleData = doubles.size() > 0 ? doubles.toArray() : null;
        return t;
    }

    public String name() {
        return name;
    }

    public int dataType() {
        return dataType;
    }

    public long[] dims() {
        return dims.clone();
    }

    public long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    public boolean isExternal() {
        return external;
    }

    public boolean isFloatingPoint() {
        return dataType == FLOAT || dataType == FLOAT16 || dataType == BFLOAT16 || dataType == DOUBLE;
    }

    public boolean isInteger8() {
        return dataType == INT8 || dataType == UINT8;
    }

    /** All elements as float32, row-major, appended to {@code dst}. */
    public void readFloats(FloatBuffer dst) {
        int n = checkedSize();
        if (raw != null) {
            int width = elementBytes();
            if ((long) n * width != raw.remaining()) {
                throw new CheckpointException(source + ": initializer " + name + ": raw_data has " + raw.remaining()
                        + " bytes, shape " + Arrays.toString(dims) + " needs " + (long) n * width);
            }
            if (dataType == FLOAT) {
                dst.put(raw.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
                return;
            }
            for (int i = 0; i < n; i++) {
                dst.put(rawElement(i));
            }
            return;
        }
        if (floatData != null) {
            checkCount(floatData.length, n);
            dst.put(floatData, 0, n);
        } else if (intData != null) {
            checkCount(intData.length, n);
            for (int i = 0; i < n; i++) {
                dst.put(typedInt(intData[i]));
            }
        } else if (doubleData != null) {
            checkCount(doubleData.length, n);
            for (int i = 0; i < n; i++) {
                dst.put((float) doubleData[i]);
            }
        } else {
            checkCount(0, n);
        }
    }

    public float[] floats() {
        float[] out = new float[checkedSize()];
        if (raw != null && dataType == FLOAT && (long) out.length * 4 == raw.remaining()) {
            raw.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        readFloats(FloatBuffer.wrap(out));
        return out;
    }

    /** Integer elements (for shape constants, zero points); floats are truncated. */
    public long[] longs() {
        int n = checkedSize();
        long[] out = new long[n];
        if (raw != null || floatData != null || doubleData != null) {
            if (raw != null && (dataType == INT64 || dataType == UINT64)) {
                checkCount(raw.remaining() / 8, n);
                for (int i = 0; i < n; i++) {
                    out[i] = raw.getLong(i * 8);
                }
                return out;
            }
            float[] f = floats();
            for (int i = 0; i < n; i++) {
                out[i] = (long) f[i];
            }
            return out;
        }
        if (intData != null) {
            checkCount(intData.length, n);
            for (int i = 0; i < n; i++) {
                out[i] = (long) typedInt(intData[i]);
            }
            return out;
        }
        checkCount(0, n);
        return out;
    }

    private float rawElement(int i) {
        return switch (dataType) {
            case FLOAT -> raw.getFloat(i * 4);
            case UINT8, BOOL -> raw.get(i) & 0xff;
            case INT8 -> raw.get(i);
            case UINT16 -> raw.getShort(i * 2) & 0xffff;
            case INT16 -> raw.getShort(i * 2);
            case INT32 -> raw.getInt(i * 4);
            case INT64 -> raw.getLong(i * 8);
            case FLOAT16 -> HalfFloats.halfToFloat(raw.getShort(i * 2));
            case BFLOAT16 -> HalfFloats.bf16ToFloat(raw.getShort(i * 2));
            case DOUBLE -> (float) raw.getDouble(i * 8);
            case UINT32 -> raw.getInt(i * 4) & 0xffffffffL;
            case UINT64 -> raw.getLong(i * 8);
            default -> throw unsupported();
        };
    }

    /** int32_data holds every narrow type, including the bit patterns of f16/bf16. */
    private float typedInt(long v) {
        return switch (dataType) {
            case FLOAT16 -> HalfFloats.halfToFloat((short) v);
            case BFLOAT16 -> HalfFloats.bf16ToFloat((short) v);
            case UINT8 -> v & 0xff;
            case INT8 -> (byte) v;
            case INT32, INT16 -> (int) v;
            default -> v;
        };
    }

    private int elementBytes() {
        return switch (dataType) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16, FLOAT16, BFLOAT16 -> 2;
            case FLOAT, INT32, UINT32 -> 4;
            case INT64, DOUBLE, UINT64 -> 8;
            default -> throw unsupported();
        };
    }

    private CheckpointException unsupported() {
        return new CheckpointException(source + ": initializer " + name + " has unsupported data type " + dataType);
    }

    private int checkedSize() {
        if (external) {
            throw new CheckpointException(source + ": initializer " + name
                    + " keeps its data in an external file; external data is not supported: re-export the model"
                    + " with all data inside the .onnx file");
        }
        long n = size();
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new CheckpointException(source + ": initializer " + name + " has unsupported shape " + Arrays.toString(dims));
        }
        return (int) n;
    }

    private void checkCount(int have, int need) {
        if (have != need) {
            throw new CheckpointException(source + ": initializer " + name + " holds " + have + " values but shape "
                    + Arrays.toString(dims) + " needs " + need);
        }
    }

    @Override
    public String toString() {
        return name + " type " + dataType + Arrays.toString(dims);
    }

    static final class LongList {
        private long[] a = new long[8];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    static final class FloatList {
        private float[] a = new float[8];
        private int n;

        void add(float v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    static final class DoubleList {
        private double[] a = new double[8];
        private int n;

        void add(double v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        double[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
