package dev.bertj.core.corpus;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Reads an R lazy-load database, the {@code Rdata.rdx} / {@code Rdata.rdb} pair in which installed R packages keep
 * their data sets (and {@code pkg.rdx} / {@code pkg.rdb} for code), without R.
 *
 * <ul>
 *   <li>{@code .rdx} is a gzip file holding one serialized list with elements {@code variables} (a named list of
 *       integer pairs: byte offset and length of each object in the {@code .rdb}), {@code references} and
 *       {@code compressed} (TRUE or 1 for zlib; 2 bzip2 and 3 xz are not supported here).</li>
 *   <li>each object in {@code .rdb} is a 4-byte big-endian uncompressed length followed by a zlib stream of the
 *       serialized object (XDR format, see {@link RXdrReader}).</li>
 * </ul>
 * Character vectors stream: {@link #strings(String)} inflates and decodes as the caller reads.
 */
public final class RLazyLoadReader {

    private final Path rdb;
    private final Map<String, long[]> variables;

    private RLazyLoadReader(Path rdb, Map<String, long[]> variables) {
        this.rdb = rdb;
        this.variables = variables;
    }

    /** Opens the database whose index is {@code rdx}; the {@code .rdb} beside it holds the data. */
    public static RLazyLoadReader open(Path rdx) throws IOException {
        String name = rdx.getFileName().toString();
        if (!name.endsWith(".rdx")) {
            throw new CorpusFormatException(rdx + ": an R lazy-load index ends in .rdx");
        }
        Path rdb = rdx.resolveSibling(name.substring(0, name.length() - 4) + ".rdb");
        if (!Files.isRegularFile(rdx) || !Files.isRegularFile(rdb)) {
            throw new CorpusFormatException("R lazy-load database needs both " + rdx + " and " + rdb);
        }
        RValue index;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(rdx)))) {
            RXdrReader reader = new RXdrReader(in, rdx.toString());
            reader.readHeader();
            index = reader.readItem();
        } catch (java.util.zip.ZipException e) {
            throw new CorpusFormatException(rdx + ": not a gzip file (" + e.getMessage() + ")", e);
        }
        if (index.type() != RValue.VECSXP || index.element("variables") == null) {
            throw new CorpusFormatException(rdx + ": not an R lazy-load index (no 'variables' element)");
        }
        RValue compressed = index.element("compressed");
        int compression = compressed == null ? 1 : compressed.ints()[0];
        if (compression != 1) {
            throw new CorpusFormatException(rdx + ": compression type " + compression
                    + (compression == 2 ? " (bzip2)" : compression == 3 ? " (xz)" : "")
                    + " is not supported; only zlib (1)");
        }
        RValue vars = index.element("variables");
        String[] names = vars.names();
        List<RValue> entries = vars.list();
        long rdbSize = Files.size(rdb);
        Map<String, long[]> variables = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            int[] pair = entries.get(i).ints();
            long offset = pair[0];
            long length = pair[1];
            if (pair.length != 2 || offset < 0 || length < 4 || offset + length > rdbSize) {
                throw new CorpusFormatException(rdx + ": object '" + names[i] + "' at [" + offset + ", +" + length
                        + ") lies outside " + rdb + " (" + rdbSize + " bytes)");
            }
            variables.put(names[i], new long[] {offset, length});
        }
        return new RLazyLoadReader(rdb, variables);
    }

    /** The names of the objects in the database, in index order. */
    public List<String> variables() {
        return new ArrayList<>(variables.keySet());
    }

    /** Reads a whole object. */
    public RValue read(String variable) throws IOException {
        try (Payload p = payload(variable)) {
            return p.reader.readItem();
        }
    }

    /** Streams a character vector element by element. */
    public StringVectorReader strings(String variable) throws IOException {
        Payload p = payload(variable);
        try {
            int length = p.reader.beginStringVector();
            return new StringVectorReader(p, length);
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private Payload payload(String variable) throws IOException {
        long[] where = variables.get(variable);
        if (where == null) {
            throw new IllegalArgumentException("no object '" + variable + "' in " + rdb + "; it holds "
                    + variables.keySet());
        }
        FileChannel channel = FileChannel.open(rdb, StandardOpenOption.READ);
        try {
            channel.position(where[0]);
            InputStream raw = new BufferedInputStream(Channels.newInputStream(channel));
            byte[] header = raw.readNBytes(4);
            long uncompressed = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFF) << 16)
                    | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            InputStream bounded = new BoundedInputStream(raw, where[1] - 4);
            Inflater inflater = new Inflater();
            InputStream inflated = new InflaterInputStream(bounded, inflater, 1 << 16);
            String source = rdb + " object '" + variable + "' (" + uncompressed + " bytes)";
            RXdrReader reader = new RXdrReader(new BufferedInputStream(inflated, 1 << 16), source);
            reader.readHeader();
            return new Payload(channel, inflater, reader);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** One open object: the file, its inflater and the decoder on top. */
    static final class Payload implements Closeable {
        private final FileChannel channel;
        private final Inflater inflater;
        final RXdrReader reader;

        Payload(FileChannel channel, Inflater inflater, RXdrReader reader) {
            this.channel = channel;
            this.inflater = inflater;
            this.reader = reader;
        }

        @Override
        public void close() throws IOException {
            inflater.end();
            channel.close();
        }
    }

    /** The elements of one character vector, read as they are asked for. */
    public static final class StringVectorReader implements Closeable {
        private final Payload payload;
        private final int length;
        private int read;

        StringVectorReader(Payload payload, int length) {
            this.payload = payload;
            this.length = length;
        }

        public int length() {
            return length;
        }

        public boolean hasNext() {
            return read < length;
        }

        /** The next element; null for NA. */
        public String next() throws IOException {
            if (read == length) {
                throw new IllegalStateException("all " + length + " elements were read");
            }
            read++;
            return payload.reader.nextString();
        }

        @Override
        public void close() throws IOException {
            payload.close();
        }
    }

    /** Stops reading at the end of one object, so a corrupt stream cannot run into the next. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
