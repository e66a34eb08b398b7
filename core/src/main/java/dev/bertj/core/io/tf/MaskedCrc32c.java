package dev.bertj.core.io.tf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C as LevelDB and TensorFlow store it: masked (rotated right by 15 bits plus a constant) so that a CRC of
 * data that itself contains CRCs does not look like a valid CRC.
 */
final class MaskedCrc32c {

    private static final int MASK_DELTA = 0xa282ead8;

    private MaskedCrc32c() {
    }

    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    static int of(ByteBuffer data) {
        CRC32C c = new CRC32C();
        c.update(data.duplicate());
        return (int) c.getValue();
    }

    static int of(byte[] data, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(data, offset, length);
        return (int) c.getValue();
    }
}
