package dev.bertj.core.io.tf;

import dev.bertj.core.io.CheckpointException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
     * A shard read through a stream that cannot seek (a deflated jar entry): reads are cheap going forward, and a
     * read behind the current position reopens the stream. Readers that go in offset order pass over the data once.
     */
    final class Streamed implements ShardData {
        private final Supplier<InputStream> opener;
        private final long base;
        private final long size;
        private final String source;
        private InputStream in;
        private long position;

        /** @param base where the shard's bytes start in the opened stream */
        Streamed(Supplier<InputStream> opener, long base, long size, String source) {
            this.opener = opener;
            this.base = base;
            this.size = size;
            this.source = source;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public synchronized ByteBuffer read(long offset, int length) {
            try {
                if (in == null || offset < position) {
                    if (in != null) {
                        in.close();
                    }
                    in = opener.get();
                    in.skipNBytes(base);
                    position = 0;
                }
                in.skipNBytes(offset - position);
                byte[] b = in.readNBytes(length);
                position = offset + b.length;
                if (b.length != length) {
                    throw new CheckpointException(source + ": truncated data: bytes " + offset + ".." + (offset + length)
                            + " requested, the stream ended " + (length - b.length) + " bytes early");
                }
                return ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            } catch (IOException e) {
                closeStream();
                throw new CheckpointException(source + ": cannot read bytes " + offset + ".." + (offset + length) + ": " + e, e);
            }
        }

        private void closeStream() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // reopened on the next read
                }
                in = null;
            }
        }

        @Override
        public synchronized void close() {
            closeStream();
        }
    }
}
