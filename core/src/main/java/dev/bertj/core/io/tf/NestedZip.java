package dev.bertj.core.io.tf;

import dev.bertj.core.io.CheckpointException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Walks a zip archive that is only available as a stream (a zip stored inside a jar entry, which the jar itself
 * deflates), reading local file headers front to back: where each entry's data starts in the stream, its size and
 * compression method; small entries of interest are captured whole on the way.
 */
final class NestedZip {

    record Entry(String name, long dataOffset, long size, int method) {
    }

    private static final int LOCAL_HEADER = 0x04034b50;

    private NestedZip() {
    }

    /** True if the stream starts like a zip archive. */
    static boolean looksLikeZip(InputStream in) throws IOException {
        byte[] head = in.readNBytes(4);
        return head.length == 4 && ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt() == LOCAL_HEADER;
    }

    /**
     * Lists the entries of the zip in {@code in}, capturing (inflating if needed) the content of those
     * {@code capture} accepts, up to 64 MB each.
     */
    static Map<String, Entry> walk(InputStream raw, String source, Predicate<String> capture, Map<String, byte[]> captured)
            throws IOException {
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        Map<String, Entry> entries = new LinkedHashMap<>();
        long pos = 0;
        while (true) {
            byte[] sig = in.readNBytes(4);
            if (sig.length < 4) {
                break;
            }
            pos += 4;
            if (ByteBuffer.wrap(sig).order(ByteOrder.LITTLE_ENDIAN).getInt() != LOCAL_HEADER) {
                break; // the central directory (or anything else) ends the local entries
            }
            ByteBuffer h = ByteBuffer.wrap(readFully(in, 26, source)).order(ByteOrder.LITTLE_ENDIAN);
            pos += 26;
            int flags = h.getShort(2) & 0xffff;
            int method = h.getShort(4) & 0xffff;
            long compressed = h.getInt(14) & 0xffffffffL;
            long size = h.getInt(18) & 0xffffffffL;
            int nameLength = h.getShort(22) & 0xffff;
            int extraLength = h.getShort(24) & 0xffff;
            String name = new String(readFully(in, nameLength, source), StandardCharsets.UTF_8);
            byte[] extra = readFully(in, extraLength, source);
            pos += nameLength + extraLength;
            if (compressed == 0xffffffffL || size == 0xffffffffL) {
                long[] sizes = zip64Sizes(extra, size, compressed);
                size = sizes[0];
                compressed = sizes[1];
            }
            if ((flags & 8) != 0 && compressed == 0) {
                throw new CheckpointException(source + ": zip entry " + name
                        + " has no size in its local header (streamed zip); cannot read it in place");
            }
            entries.put(name, new Entry(name, pos, size, method));
            if (capture.test(name) && size <= 64 << 20) {
                byte[] data = readFully(in, (int) compressed, source);
                captured.put(name, method == 0 ? data : inflate(data, (int) size, source + "!/" + name));
            } else {
                in.skipNBytes(compressed);
            }
            pos += compressed;
        }
        return entries;
    }

    private static long[] zip64Sizes(byte[] extra, long size, long compressed) {
        ByteBuffer e = ByteBuffer.wrap(extra).order(ByteOrder.LITTLE_ENDIAN);
        while (e.remaining() >= 4) {
            int id = e.getShort() & 0xffff;
            int len = e.getShort() & 0xffff;
            if (id == 0x0001) {
                long s = size == 0xffffffffL ? e.getLong() : size;
                long c = compressed == 0xffffffffL ? e.getLong() : compressed;
                return new long[] {s, c};
            }
            e.position(e.position() + len);
        }
        return new long[] {size, compressed};
    }

    private static byte[] inflate(byte[] data, int size, String what) throws IOException {
        try (InputStream in = new InflaterInputStream(new java.io.ByteArrayInputStream(data), new Inflater(true))) {
            byte[] out = in.readNBytes(size);
            if (out.length != size) {
                throw new CheckpointException(what + ": truncated: inflated " + out.length + " of " + size + " bytes");
            }
            return out;
        }
    }

    private static byte[] readFully(InputStream in, int n, String source) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new CheckpointException(source + ": truncated zip: the stream ends inside a local file header");
        }
        return b;
    }
}
