package dev.bertj.core.io.tf;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.MappedFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;

/** The bytes of one {@code variables.data-NNNNN-of-NNNNN} shard. */
interface ShardData extends AutoCloseable {

    /** Size in bytes. */
    long size();

    /** Bytes [offset, offset + length) as a little-endian buffer. */
    ByteBuffer read(long offset, int length);

    @Override
    void close();

    /**
     * A shard read through a stream that cannot seek (a deflated jar entry). Reads going forward pass over the
     * stream once, which is how conversion reads (in data order). The first read behind the current position
     * means random access is wanted (e.g. loading a model in its own parameter order): the shard is then copied
     * once to a temporary file, memory-mapped, and unlinked, and every later read is served from the mapping.
     */
    final class Streamed implements ShardData {
        private final Supplier<InputStream> opener;
        private final long size;
        private final String source;
        private InputStream in;
        private long position;
        private MappedFile spilled;

        Streamed(Supplier<InputStream> opener, long size, String source) {
            this.opener = opener;
            this.size = size;
            this.source = source;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public synchronized ByteBuffer read(long offset, int length) {
            if (spilled == null && in != null && offset < position) {
                spill();
            }
            if (spilled != null) {
                return spilled.region(offset, length);
            }
            try {
                if (in == null) {
                    in = opener.get();
                    position = 0;
                }
                in.skipNBytes(offset - position);
                byte[] b = in.readNBytes(length);
                position = offset + b.length;
                if (b.length != length) {
                    throw new CheckpointException(source + ": truncated data: bytes " + offset + ".." + (offset + length)
                            + " requested, the stream ended " + (length - b.length) + " bytes early");
                }
                return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                closeStream();
                throw new CheckpointException(source + ": cannot read bytes " + offset + ".." + (offset + length) + ": " + e, e);
            }
        }

        private void spill() {
            closeStream();
            Path tmp = null;
            try {
                tmp = Files.createTempFile("bertj-checkpoint-", ".data");
                try (InputStream from = opener.get()) {
                    long copied = Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
                    if (copied < size) {
                        throw new CheckpointException(source + ": truncated data: the stream holds " + copied
                                + " of " + size + " bytes");
                    }
                }
                spilled = MappedFile.open(tmp);
            } catch (IOException e) {
                throw new CheckpointException(source + ": cannot copy the data to a temporary file for random access: "
                        + e, e);
            } finally {
                // The mapping stays valid after the name is gone (POSIX); elsewhere the file goes at exit.
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException e) {
                        tmp.toFile().deleteOnExit();
                    }
                }
            }
        }

        private void closeStream() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // reopened if needed
                }
                in = null;
            }
        }

        @Override
        public synchronized void close() {
            closeStream();
            if (spilled != null) {
                spilled.close();
            }
        }
    }
}
