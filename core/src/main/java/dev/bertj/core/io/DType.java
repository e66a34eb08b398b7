package dev.bertj.core.io;

/** Element types of stored tensors. Every reader converts to float32 on the way into the model. */
public enum DType {
    F32(4), F16(2), BF16(2), F64(8), I64(8), I32(4), I8(1), U8(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
