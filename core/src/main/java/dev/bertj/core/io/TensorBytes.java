package dev.bertj.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;

/** Converts stored little-endian tensor bytes of any {@link DType} to float32, and float32 to f32/f16/bf16 bytes. */
public final class TensorBytes {

    private TensorBytes() {
    }

    /**
     * Appends {@code count} elements of {@code dtype} read from {@code src} (from its position) to {@code dst} as
     * float32. Integer types are converted exactly where float32 can hold them.
     */
    public static void toFloats(ByteBuffer src, DType dtype, int count, FloatBuffer dst) {
        ByteBuffer in = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> dst.put(in.limit(count * 4).asFloatBuffer());
            case F16 -> {
                ShortBuffer s = in.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    dst.put(HalfFloats.halfToFloat(s.get(i)));
                }
            }
            case BF16 -> {
                ShortBuffer s = in.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    dst.put(HalfFloats.bf16ToFloat(s.get(i)));
                }
            }
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    dst.put((float) in.getDouble(i * 8));
                }
            }
            case I64 -> {
                for (int i = 0; i < count; i++) {
                    dst.put((float) in.getLong(i * 8));
                }
            }
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    dst.put((float) in.getInt(i * 4));
                }
            }
            case I8 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(in.get(i));
                }
            }
            case U8 -> {
                for (int i = 0; i < count; i++) {
                    dst.put(in.get(i) & 0xff);
                }
            }
        }
    }

    /** Writes {@code count} floats from {@code src} into {@code dst} (little-endian) as {@code dtype}: F32, F16 or BF16. */
    public static void fromFloats(float[] src, int count, DType dtype, ByteBuffer dst) {
        ByteBuffer out = dst.order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> out.asFloatBuffer().put(src, 0, count);
            case F16 -> {
                ShortBuffer s = out.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    s.put(HalfFloats.floatToHalf(src[i]));
                }
            }
            case BF16 -> {
                ShortBuffer s = out.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    s.put(HalfFloats.floatToBf16(src[i]));
                }
            }
            default -> throw new IllegalArgumentException("can only write F32, F16 or BF16, not " + dtype);
        }
        out.position(out.position() + count * dtype.bytes());
    }

    /** Elements times bytes per element, or -1 on overflow or a negative dimension. */
    public static long byteSize(long[] shape, DType dtype) {
        long n = 1;
        try {
            for (long d : shape) {
                if (d < 0) {
                    return -1;
                }
                n = Math.multiplyExact(n, d);
            }
            return Math.multiplyExact(n, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            return -1;
        }
    }
}
