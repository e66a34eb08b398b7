package dev.bertj.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only memory-mapped file. Files up to 2 GB are mapped once; larger ones (BERT-large in f32 is 1.3 GB,
 * bigger models exceed a Java buffer's int index) are mapped region by region on demand.
 */
public final class MappedFile implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final MappedByteBuffer whole;
    private volatile boolean closed;

    private MappedFile(Path path, FileChannel channel, long size, MappedByteBuffer whole) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.whole = whole;
    }

    public static MappedFile open(Path path) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            long size = channel.size();
            MappedByteBuffer whole = size <= Integer.MAX_VALUE ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size) : null;
            return new MappedFile(path, channel, size, whole);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException(path + ": cannot open: " + e, e);
        }
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    /** The bytes [offset, offset + length) as a little-endian buffer; the caller has checked the bounds. */
    public ByteBuffer region(long offset, long length) {
        if (closed) {
            throw new CheckpointException(path + ": already closed");
        }
        if (offset < 0 || length < 0 || offset + length > size || length > Integer.MAX_VALUE) {
            throw new CheckpointException(path + ": region [" + offset + ", " + (offset + length) + ") outside the file of "
                    + size + " bytes");
        }
        try {
            ByteBuffer b = whole != null
                    ? whole.slice((int) offset, (int) length)
                    : channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
            return b.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot map bytes " + offset + ".." + (offset + length) + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing useful to do: the file was only read
            }
        }
    }
}
