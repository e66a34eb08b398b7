package dev.bertj.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * A minimal reader of the protocol buffers wire format over a buffer (heap or memory-mapped), enough to read
 * ONNX models and TensorFlow's bundle entries without generated classes: iterate fields with {@link #next()},
 * then read the current field's value with the accessor for its wire type, or {@link #skip()} it.
 * Malformed input (truncated varints, lengths past the end, unknown wire types) throws a
 * {@link CheckpointException} naming the source and what was being read.
 */
public final class ProtoReader {

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int FIXED32 = 5;

    private final ByteBuffer buf;
    private final String source;
    private final String context;
    private int pos;
    private final int end;
    private int tag;

    /** Reads the bytes between the buffer's position and limit. */
    public ProtoReader(ByteBuffer buf, String source, String context) {
        this.buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.context = context;
        this.pos = buf.position();
        this.end = buf.limit();
    }

    /** Advances to the next field; false at the end of the message. */
    public boolean next() {
        if (pos >= end) {
            return false;
        }
        long key = readVarint();
        if ((key >>> 3) == 0 || (key >>> 3) > 0x1fffffff) {
            throw error("invalid field number " + (key >>> 3));
        }
        tag = (int) key;
        return true;
    }

    public int field() {
        return tag >>> 3;
    }

    public int wireType() {
        return tag & 7;
    }

    public long varint() {
        expect(VARINT);
        return readVarint();
    }

    public int fixed32() {
        expect(FIXED32);
        need(4);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    public long fixed64() {
        expect(FIXED64);
        need(8);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    public float float32() {
        return Float.intBitsToFloat(fixed32());
    }

    /** A length-delimited field's bytes as a view (no copy); position 0..limit of the returned buffer. */
    public ByteBuffer bytes() {
        expect(LENGTH_DELIMITED);
        long length = readVarint();
        if (length < 0 || length > end - pos) {
            throw error("length " + length + " of field " + field() + " runs past the end (" + (end - pos) + " bytes left)");
        }
        ByteBuffer b = buf.slice(pos, (int) length).order(ByteOrder.LITTLE_ENDIAN);
        pos += (int) length;
        return b;
    }

    public String string() {
        ByteBuffer b = bytes();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** The current length-delimited field as a nested message. */
    public ProtoReader message(String nestedContext) {
        return new ProtoReader(bytes(), source, context + " > " + nestedContext);
    }

    /**
     * A repeated integer field, packed (one length-delimited run of varints) or not (one varint per occurrence):
     * writers may use either.
     */
    public void varints(LongConsumer out) {
        if (wireType() == VARINT) {
            out.accept(readVarint());
            return;
        }
        ProtoReader packed = new ProtoReader(bytes(), source, context);
        while (packed.pos < packed.end) {
            out.accept(packed.readVarint());
        }
    }

    /** A repeated float field, packed or not. */
    public void floats(FloatSink out) {
        if (wireType() == FIXED32) {
            out.accept(float32());
            return;
        }
        ByteBuffer b = bytes();
        if (b.remaining() % 4 != 0) {
            throw error("packed float field of " + b.remaining() + " bytes, not a multiple of 4");
        }
        for (int i = 0; i < b.remaining(); i += 4) {
            out.accept(b.getFloat(i));
        }
    }

    /** A repeated double field, packed or not. */
    public void doubles(DoubleSink out) {
        if (wireType() == FIXED64) {
            out.accept(Double.longBitsToDouble(fixed64()));
            return;
        }
        ByteBuffer b = bytes();
        if (b.remaining() % 8 != 0) {
            throw error("packed double field of " + b.remaining() + " bytes, not a multiple of 8");
        }
        for (int i = 0; i < b.remaining(); i += 8) {
            out.accept(b.getDouble(i));
        }
    }

    @FunctionalInterface
    public interface FloatSink {
        void accept(float v);
    }

    @FunctionalInterface
    public interface DoubleSink {
        void accept(double v);
    }

    public void skip() {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                need(8);
                pos += 8;
            }
            case LENGTH_DELIMITED -> bytes();
            case FIXED32 -> {
                need(4);
                pos += 4;
            }
            default -> throw error("unsupported wire type " + wireType() + " for field " + field());
        }
    }

    public CheckpointException error(String message) {
        return new CheckpointException(source + ": corrupt protobuf in " + context + ": " + message);
    }

    private void expect(int wireType) {
        if (wireType() != wireType) {
            throw error("field " + field() + " has wire type " + wireType() + ", expected " + wireType);
        }
    }

    private void need(int n) {
        if (end - pos < n) {
            throw error("truncated: " + n + " bytes needed, " + (end - pos) + " left");
        }
    }

    private long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw error("truncated varint");
            }
            byte b = buf.get(pos++);
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw error("varint longer than 10 bytes");
    }
}
