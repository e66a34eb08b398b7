package dev.bertj.core.corpus;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads R's serialization format in its XDR (big-endian binary) variant, versions 2 and 3, as written by
 * {@code saveRDS} and inside lazy-load databases. Every item starts with a 32-bit flags word: the SEXP type in the
 * low byte, then the "is object" (bit 8), "has attributes" (bit 9) and "has tag" (bit 10) flags, and the
 * "levels" (string encoding bits for CHARSXP) from bit 12 up.
 *
 * <p>Supported: NULL, symbols, pairlists (attributes), character, logical, integer, double and raw vectors,
 * lists, references to earlier symbols, and the special environment markers. Closures, environments, byte code,
 * S4 objects and ALTREP compact forms are refused with a message naming the type, since data packages of text
 * do not need them.
 *
 * <p>Character vectors can also be streamed element by element ({@link #beginStringVector()},
 * {@link #nextString()}), so a large one never needs to be in memory at once.
 */
final class RXdrReader {

    private static final int CLOSXP = 3;
    private static final int ENVSXP = 4;
    private static final int PROMSXP = 5;
    private static final int LANGSXP = 6;
    private static final int DOTSXP = 17;
    private static final int CPLXSXP = 15;
    private static final int ATTRLISTSXP = 239;
    private static final int ATTRLANGSXP = 240;
    private static final int BASEENV_SXP = 241;
    private static final int EMPTYENV_SXP = 242;
    private static final int ALTREP_SXP = 238;
    private static final int MISSINGARG_SXP = 251;
    private static final int UNBOUNDVALUE_SXP = 252;
    private static final int BASENAMESPACE_SXP = 250;
    private static final int GLOBALENV_SXP = 253;
    private static final int NILVALUE_SXP = 254;
    private static final int REFSXP = 255;

    private static final int HAS_ATTR = 1 << 9;
    private static final int HAS_TAG = 1 << 10;
    private static final int BYTES_MASK = 1 << 1;
    private static final int LATIN1_MASK = 1 << 2;
    private static final int UTF8_MASK = 1 << 3;
    private static final int ASCII_MASK = 1 << 6;

    private final DataInputStream in;
    private final String source;
    private final List<RValue> references = new ArrayList<>();
    private Charset nativeCharset = StandardCharsets.UTF_8;
    private long stringsLeft = -1;

    RXdrReader(InputStream in, String source) {
        this.in = new DataInputStream(in);
        this.source = source;
    }

    /** Reads the stream header: {@code X\n}, the format version, R versions, and (version 3) the native encoding. */
    void readHeader() throws IOException {
        int a = in.read();
        int b = in.read();
        if (a != 'X' || b != '\n') {
            String what = a == 'A' ? "the ASCII serialization format" : a == 'B' ? "the native binary format"
                    : "not R serialization data";
            throw new CorpusFormatException(source + ": expected R's XDR serialization ('X\\n'), found " + what);
        }
        int version = readInt();
        readInt(); // R version that wrote it
        readInt(); // oldest R version that can read it
        if (version == 3) {
            int n = readInt();
            if (n < 0 || n > 64) {
                throw new CorpusFormatException(source + ": implausible native encoding length " + n);
            }
            byte[] name = in.readNBytes(n);
            String encoding = new String(name, StandardCharsets.US_ASCII);
            if (encoding.equalsIgnoreCase("latin1") || encoding.equalsIgnoreCase("ISO-8859-1")) {
                nativeCharset = StandardCharsets.ISO_8859_1;
            }
        } else if (version != 2) {
            throw new CorpusFormatException(source + ": R serialization version " + version
                    + " is not supported (only 2 and 3)");
        }
    }

    /** Reads one whole item. */
    RValue readItem() throws IOException {
        return readItem(readInt());
    }

    private RValue readItem(int flags) throws IOException {
        int type = flags & 0xFF;
        boolean hasAttr = (flags & HAS_ATTR) != 0;
        switch (type) {
            case NILVALUE_SXP:
                return RValue.NULL;
            case EMPTYENV_SXP, BASEENV_SXP, GLOBALENV_SXP, UNBOUNDVALUE_SXP, MISSINGARG_SXP, BASENAMESPACE_SXP:
                return new RValue(type, null, Map.of());
            case REFSXP: {
                int index = flags >>> 8;
                if (index == 0) {
                    index = readInt();
                }
                if (index < 1 || index > references.size()) {
                    throw new CorpusFormatException(source + ": reference #" + index + " to an unknown object");
                }
                return references.get(index - 1);
            }
            case RValue.SYMSXP: {
                RValue name = readItem();
                RValue symbol = new RValue(RValue.SYMSXP, name.data(), Map.of());
                references.add(symbol);
                return symbol;
            }
            case RValue.LISTSXP, LANGSXP, ATTRLISTSXP, ATTRLANGSXP, DOTSXP:
                return readPairList(flags);
            case RValue.CHARSXP:
                return new RValue(RValue.CHARSXP, readCharsxpBody(flags), Map.of());
            case RValue.LGLSXP, RValue.INTSXP: {
                int n = readLength();
                int[] values = new int[n];
                for (int i = 0; i < n; i++) {
                    values[i] = readInt();
                }
                return new RValue(type, values, attributes(hasAttr));
            }
            case RValue.REALSXP: {
                int n = readLength();
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = in.readDouble();
                }
                return new RValue(type, values, attributes(hasAttr));
            }
            case RValue.RAWSXP: {
                int n = readLength();
                return new RValue(type, in.readNBytes(n), attributes(hasAttr));
            }
            case RValue.STRSXP: {
                int n = readLength();
                String[] values = new String[n];
                for (int i = 0; i < n; i++) {
                    values[i] = readCharsxp();
                }
                return new RValue(type, values, attributes(hasAttr));
            }
            case RValue.VECSXP, RValue.EXPRSXP: {
                int n = readLength();
                List<RValue> values = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    values.add(readItem());
                }
                return new RValue(type, values, attributes(hasAttr));
            }
            default:
                throw new CorpusFormatException(source + ": R object type " + typeName(type)
                        + " is not supported (this reader handles vectors, lists and attributes only)");
        }
    }

    /** A pairlist as a map from tag to value (untagged cells get their position as the key). */
    private RValue readPairList(int flags) throws IOException {
        Map<String, RValue> cells = new LinkedHashMap<>();
        Map<String, RValue> attributes = Map.of();
        int position = 0;
        int cellFlags = flags;
        // Iterate along the CDR chain instead of recursing, so long pairlists cannot exhaust the stack.
        while (true) {
            int type = cellFlags & 0xFF;
            if (type != RValue.LISTSXP && type != LANGSXP && type != ATTRLISTSXP && type != ATTRLANGSXP
                    && type != DOTSXP) {
                if (type != NILVALUE_SXP) {
                    throw new CorpusFormatException(source + ": pairlist ends in " + typeName(type)
                            + " rather than NULL");
                }
                break;
            }
            if ((cellFlags & HAS_ATTR) != 0) {
                RValue attr = readItem();
                if (position == 0) {
                    attributes = asAttributes(attr);
                }
            }
            String tag = String.valueOf(position);
            if ((cellFlags & HAS_TAG) != 0) {
                RValue t = readItem();
                if (t.data() instanceof String s) {
                    tag = s;
                }
            }
            cells.put(tag, readItem());
            position++;
            cellFlags = readInt();
        }
        return new RValue(RValue.LISTSXP, cells, attributes);
    }

    private Map<String, RValue> attributes(boolean hasAttr) throws IOException {
        return hasAttr ? asAttributes(readItem()) : Map.of();
    }

    @SuppressWarnings("unchecked")
    private Map<String, RValue> asAttributes(RValue pairList) throws CorpusFormatException {
        if (pairList.type() != RValue.LISTSXP) {
            throw new CorpusFormatException(source + ": attributes are " + typeName(pairList.type())
                    + ", not a pairlist");
        }
        return (Map<String, RValue>) pairList.data();
    }

    /** Starts streaming a character vector: reads its flags and length, and returns the length. */
    int beginStringVector() throws IOException {
        int flags = readInt();
        if ((flags & 0xFF) != RValue.STRSXP) {
            throw new CorpusFormatException(source + ": expected a character vector, found "
                    + typeName(flags & 0xFF));
        }
        int n = readLength();
        stringsLeft = n;
        return n;
    }

    /** The next element of the character vector begun by {@link #beginStringVector()}; null for NA. */
    String nextString() throws IOException {
        if (stringsLeft <= 0) {
            throw new IllegalStateException("no character vector elements left");
        }
        stringsLeft--;
        return readCharsxp();
    }

    private String readCharsxp() throws IOException {
        int flags = readInt();
        if ((flags & 0xFF) != RValue.CHARSXP) {
            throw new CorpusFormatException(source + ": expected a string (CHARSXP), found "
                    + typeName(flags & 0xFF));
        }
        return readCharsxpBody(flags);
    }

    private String readCharsxpBody(int flags) throws IOException {
        int length = readInt();
        if (length == -1) {
            return null; // NA_character_
        }
        if (length < 0) {
            throw new CorpusFormatException(source + ": negative string length " + length);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new CorpusFormatException(source + ": data ends inside a string");
        }
        int levels = flags >>> 12;
        Charset charset;
        if ((levels & UTF8_MASK) != 0 || (levels & ASCII_MASK) != 0) {
            charset = StandardCharsets.UTF_8;
        } else if ((levels & (LATIN1_MASK | BYTES_MASK)) != 0) {
            charset = StandardCharsets.ISO_8859_1;
        } else {
            charset = nativeCharset;
        }
        return new String(bytes, charset);
    }

    private int readLength() throws IOException {
        int n = readInt();
        if (n == -1) {
            long high = readInt() & 0xFFFFFFFFL;
            long low = readInt() & 0xFFFFFFFFL;
            long length = (high << 32) | low;
            throw new CorpusFormatException(source + ": vector of " + length + " elements is too long to read");
        }
        if (n < 0) {
            throw new CorpusFormatException(source + ": negative vector length " + n);
        }
        return n;
    }

    private int readInt() throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new CorpusFormatException(source + ": R serialization data ends early", e);
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case CLOSXP -> "closure (3)";
            case ENVSXP -> "environment (4)";
            case PROMSXP -> "promise (5)";
            case CPLXSXP -> "complex vector (15)";
            case ALTREP_SXP -> "ALTREP (238)";
            default -> "SEXP type " + type;
        };
    }
}
