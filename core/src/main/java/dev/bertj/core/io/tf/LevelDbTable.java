package dev.bertj.core.io.tf;

import dev.bertj.core.io.CheckpointException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads every key/value pair of a LevelDB-format table, the format of TensorFlow's {@code variables.index}.
 *
 * <p>The file ends with a 48-byte footer: the metaindex and index block handles (varint offset and size each),
 * padding, and the magic number. The index block maps a separator key to each data block's handle. A block is a run
 * of prefix-compressed entries ({@code varint shared, varint non_shared, varint value_length, key suffix, value}),
 * then the restart offsets (u32 each) and their count (u32), followed on disk by a 5-byte trailer: the compression
 * type and the masked CRC32C of block and type byte, verified here.
 */
final class LevelDbTable {

    static final long MAGIC = 0xdb4775248b80fb57L;
    private static final int FOOTER_LENGTH = 48;
    private static final int TRAILER_LENGTH = 5;

    private final ByteBuffer file;
    private final String source;

    private LevelDbTable(ByteBuffer file, String source) {
        this.file = file.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
    }

    /** All entries in key order; values are views into {@code file}. */
    static Map<String, ByteBuffer> read(ByteBuffer file, String source) {
        return new LevelDbTable(file, source).entries();
    }

    private Map<String, ByteBuffer> entries() {
        int size = file.limit();
        if (size < FOOTER_LENGTH) {
            throw new CheckpointException(source + ": truncated index: " + size + " bytes, shorter than the table footer");
        }
        long magic = file.getLong(size - 8);
        if (magic != MAGIC) {
            throw new CheckpointException(source + ": not a TensorFlow checkpoint index (bad table magic 0x"
                    + Long.toHexString(magic) + "): corrupt or truncated");
        }
        int[] pos = {size - FOOTER_LENGTH};
        varint(pos, "footer"); // metaindex offset: no metadata is needed
        varint(pos, "footer"); // metaindex size
        long indexOffset = varint(pos, "footer");
        long indexSize = varint(pos, "footer");
        ByteBuffer index = block(indexOffset, indexSize, "index block");
        Map<String, ByteBuffer> out = new LinkedHashMap<>();
        forEachEntry(index, "index block", (key, handle) -> {
            int[] p = {handle.position()};
            long offset = varint(handle, p, "block handle of " + key);
            long blockSize = varint(handle, p, "block handle of " + key);
            ByteBuffer data = block(offset, blockSize, "data block at " + offset);
            forEachEntry(data, "data block at " + offset, out::put);
        });
        return out;
    }

    private ByteBuffer block(long offset, long size, String what) {
        if (offset < 0 || size < 0 || offset + size + TRAILER_LENGTH > file.limit()) {
            throw new CheckpointException(source + ": truncated index: " + what + " [" + offset + ", +" + size
                    + "] runs past the end of the file (" + file.limit() + " bytes)");
        }
        int start = (int) offset;
        int length = (int) size;
        byte type = file.get(start + length);
        int stored = file.getInt(start + length + 1);
        // The CRC covers the block's bytes and its compression-type byte.
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(file.slice(start, length + 1));
        if (MaskedCrc32c.mask((int) crc.getValue()) != stored) {
            throw new CheckpointException(source + ": corrupt index: CRC32C mismatch in " + what);
        }
        if (type != 0) {
            throw new CheckpointException(source + ": " + what + " is compressed (type " + type
                    + "); only uncompressed tables are supported");
        }
        return file.slice(start, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private interface EntryConsumer {
        void accept(String key, ByteBuffer value);
    }

    private void forEachEntry(ByteBuffer block, String what, EntryConsumer consumer) {
        int size = block.limit();
        if (size < 4) {
            throw new CheckpointException(source + ": corrupt index: " + what + " too short");
        }
        long restarts = block.getInt(size - 4) & 0xffffffffL;
        long entriesEnd = size - 4 - 4 * restarts;
        if (entriesEnd < 0) {
            throw new CheckpointException(source + ": corrupt index: " + what + " claims " + restarts + " restart points");
        }
        byte[] key = new byte[0];
        int[] p = {0};
        while (p[0] < entriesEnd) {
            long shared = varint(block, p, what);
            long nonShared = varint(block, p, what);
            long valueLength = varint(block, p, what);
            if (shared > key.length || p[0] + nonShared + valueLength > entriesEnd) {
                throw new CheckpointException(source + ": corrupt index: bad entry in " + what + " at byte " + p[0]);
            }
            byte[] next = Arrays.copyOf(key, (int) (shared + nonShared));
            block.get(p[0], next, (int) shared, (int) nonShared);
            p[0] += (int) nonShared;
            key = next;
            ByteBuffer value = block.slice(p[0], (int) valueLength).order(ByteOrder.LITTLE_ENDIAN);
            p[0] += (int) valueLength;
            consumer.accept(new String(key, StandardCharsets.UTF_8), value);
        }
    }

    private long varint(int[] pos, String what) {
        return varint(file, pos, what);
    }

    private long varint(ByteBuffer b, int[] pos, String what) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.limit()) {
                throw new CheckpointException(source + ": corrupt index: truncated varint in " + what);
            }
            byte x = b.get(pos[0]++);
            result |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return result;
            }
        }
        throw new CheckpointException(source + ": corrupt index: varint too long in " + what);
    }
}
