package dev.bertj.core.corpus;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A Bible in the SWORD project's zText format (such as Debian's {@code sword-text-web}), one document per chapter
 * or per book.
 *
 * <p>Format: per testament ({@code ot}, then {@code nt}; either may be missing), {@code .bzs} lists the compressed
 * blocks as 12-byte little-endian entries {@code <u32 offset, u32 compressed size, u32 uncompressed size>} into the
 * {@code .bzz} file of zlib streams, and {@code .bzv} lists the index entries in canonical order as 10-byte
 * entries {@code <u32 block, u32 offset, u16 size>} locating each entry's text inside its uncompressed block.
 * Entries of size 0 hold nothing (the module header, and verses the translation lacks in its versification).
 * The text is OSIS XML, decoded as UTF-8.
 *
 * <p>Text: the content of {@code <note>}, {@code <title>} and {@code <speaker>} elements is dropped (footnotes,
 * headings, and the speaker labels of the Song of Songs), every other tag is removed keeping its content, entities
 * are decoded, whitespace is collapsed. Paragraph boundaries ({@code <div type="x-p">}, {@code <p>}) end a
 * paragraph; poetry line, line-group and line-break milestones become spaces. Two quirks of
 * the WEB module are repaired: a word glued to a dropped footnote ({@code God<note>...</note>created}) and two
 * adjacent word elements without a space between ({@code ground</w><w>went}) get their space back.
 *
 * <p>Structure: documents follow the OSIS chapter markers ({@code <chapter sID="Gen.1" osisID="Gen.1"/>} ...
 * {@code <chapter eID="Gen.1"/>}, or a {@code <chapter>} element). A chapter document is named by its osisID; a
 * book document by the part before the dot ({@code Gen}). Text outside any chapter (prefaces, book introductions)
 * is dropped.
 *
 * <p>Streams: one uncompressed block (one book in the WEB module) is held at a time; the verse index (10 bytes a
 * verse) is read whole. Entry sizes are 16-bit; larger entries are recovered (see {@code recoverWrappedSizes}).
 */
public final class SwordZTextReader implements CorpusReader {

    /** What one document is. */
    public enum Unit { CHAPTER, BOOK }

    private final Unit unit;
    private final Set<String> excludedBooks;
    private final List<Testament> testaments = new ArrayList<>();
    private int testamentIndex;
    private final Paragraphs paragraphs = new Paragraphs();
    private final StringBuilder entity = new StringBuilder();
    private String documentName;     // the open document (chapter osisID or book), null when none
    private boolean inChapter;
    private int skipDepth;           // > 0 inside <note>, <title> or <speaker>
    private boolean wordMayBeGlued;  // a dropped element just ended: the next word may lack its space
    private boolean afterWordEnd;    // the last thing seen was a </w> tag
    // Finished documents waiting to be returned: one entry can close several chapters.
    private final ArrayDeque<CorpusDocument> ready = new ArrayDeque<>();

    private SwordZTextReader(Path module, Unit unit, Set<String> excludedBooks) throws IOException {
        this.unit = unit;
        this.excludedBooks = Set.copyOf(excludedBooks);
        for (String name : new String[] {"ot", "nt"}) {
            if (Files.isRegularFile(module.resolve(name + ".bzv"))) {
                testaments.add(new Testament(module, name));
            }
        }
    }

    /**
     * Opens the zText module at or under {@code path}: the module directory holding {@code ot.bzv} / {@code nt.bzv}
     * (e.g. {@code /usr/share/sword/modules/texts/ztext/engWEB2015eb}), or a directory above exactly one module
     * (e.g. {@code /usr/share/sword}).
     */
    public static SwordZTextReader open(Path path, Unit unit) throws IOException {
        return open(path, unit, Set.of());
    }

    /**
     * As {@link #open(Path, Unit)}, leaving out the books with these OSIS ids (e.g. {@code DanGr} and
     * {@code EsthGr}, which in the WEB repeat Daniel and Esther with the Greek additions).
     */
    public static SwordZTextReader open(Path path, Unit unit, Set<String> excludedBooks) throws IOException {
        return new SwordZTextReader(locateModule(path), unit, excludedBooks);
    }

    static Path locateModule(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            throw new CorpusFormatException("not a directory: " + path + " (pass a SWORD zText module directory)");
        }
        if (isModule(path)) {
            return path;
        }
        try (Stream<Path> walk = Files.walk(path, 10)) {
            List<Path> modules = walk.filter(Files::isDirectory).filter(SwordZTextReader::isModule).sorted().toList();
            if (modules.size() == 1) {
                return modules.get(0);
            }
            throw new CorpusFormatException(modules.isEmpty()
                    ? "no SWORD zText module (ot.bzv or nt.bzv) under " + path
                    : "several SWORD zText modules under " + path + "; pass one of " + modules);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static boolean isModule(Path dir) {
        return Files.isRegularFile(dir.resolve("ot.bzv")) || Files.isRegularFile(dir.resolve("nt.bzv"));
    }

    @Override
    public CorpusDocument next() throws IOException {
        while (ready.isEmpty()) {
            if (testamentIndex >= testaments.size()) {
                finishDocument();
                return ready.poll();
            }
            String osis = testaments.get(testamentIndex).nextEntry();
            if (osis == null) {
                testaments.get(testamentIndex).close();
                testamentIndex++;
                continue;
            }
            if (!osis.isEmpty()) {
                process(osis);
                paragraphs.space(); // entries are verses: a word boundary between them
            }
        }
        return ready.poll();
    }

    /** Scans one entry's OSIS text: tags, entities and character data. */
    private void process(String s) throws CorpusFormatException {
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '<') {
                int end = s.indexOf('>', i);
                if (end < 0) {
                    throw new CorpusFormatException("unterminated tag in OSIS text: "
                            + s.substring(i, Math.min(n, i + 60)));
                }
                tag(s, i + 1, end);
                i = end + 1;
            } else if (c == '&') {
                int end = s.indexOf(';', i);
                if (end < 0 || end - i > 12) {
                    text("&");
                    i++;
                } else {
                    text(decodeEntity(s.substring(i + 1, end)));
                    i = end + 1;
                }
            } else {
                int next = i;
                while (next < n && s.charAt(next) != '<' && s.charAt(next) != '&') {
                    next++;
                }
                text(s.subSequence(i, next));
                i = next;
            }
        }
    }

    private void text(CharSequence t) {
        if (skipDepth == 0 && inChapter && t.length() > 0) {
            if (wordMayBeGlued && Character.isLetterOrDigit(t.charAt(0))
                    && endsWordOrSentence(paragraphs.lastChar())) {
                paragraphs.space();
            }
            paragraphs.append(t);
        }
        if (skipDepth == 0 && t.length() > 0) {
            wordMayBeGlued = false;
            afterWordEnd = false;
        }
    }

    private static boolean endsWordOrSentence(char c) {
        return Character.isLetterOrDigit(c) || ".,;:!?”’)".indexOf(c) >= 0;
    }

    /** Handles the tag in {@code s[from, to)}, between its angle brackets. */
    private void tag(String s, int from, int to) {
        boolean closing = s.charAt(from) == '/';
        boolean empty = s.charAt(to - 1) == '/';
        int nameStart = closing ? from + 1 : from;
        int nameEnd = nameStart;
        while (nameEnd < to && !Character.isWhitespace(s.charAt(nameEnd)) && s.charAt(nameEnd) != '/') {
            nameEnd++;
        }
        String name = s.substring(nameStart, nameEnd);
        String attributes = s.substring(nameEnd, empty ? to - 1 : to);
        switch (name) {
            case "note", "title", "speaker" -> {
                if (closing) {
                    skipDepth = Math.max(0, skipDepth - 1);
                    // The module sometimes drops the space after a footnote ("God<note>..</note>created").
                    wordMayBeGlued = skipDepth == 0;
                } else if (!empty) {
                    skipDepth++;
                }
            }
            case "w" -> {
                // A word element right after another one, with nothing between, is a new word ("ground</w><w>went").
                if (!closing && afterWordEnd) {
                    paragraphs.space();
                }
                afterWordEnd = closing;
                return;
            }
            case "chapter" -> {
                String eID = attribute(attributes, "eID");
                if (closing || eID != null) {
                    inChapter = false;
                } else {
                    String id = attribute(attributes, "osisID");
                    startChapter(id != null ? id : attribute(attributes, "sID"));
                }
            }
            case "div" -> {
                if ("x-p".equals(attribute(attributes, "type")) || "paragraph".equals(attribute(attributes, "type"))) {
                    paragraphs.breakParagraph();
                } else {
                    paragraphs.space();
                }
            }
            case "p" -> paragraphs.breakParagraph();
            case "l", "lg", "lb", "list", "item", "milestone", "verse" -> paragraphs.space();
            default -> {
                // Inline markup (<q>, <seg>, <transChange>, <divineName>, ...): keep the content only.
            }
        }
        afterWordEnd = false;
    }

    private void startChapter(String osisId) {
        String id = osisId == null ? "chapter" : osisId;
        if (excludedBooks.contains(bookOf(id))) {
            finishDocument();
            inChapter = false;
            return;
        }
        String name = unit == Unit.CHAPTER ? id : bookOf(id);
        if (!name.equals(documentName)) {
            finishDocument();
            documentName = name;
        }
        inChapter = true;
        skipDepth = 0;
        paragraphs.breakParagraph();
    }

    private static String bookOf(String osisId) {
        int dot = osisId.indexOf('.');
        return dot < 0 ? osisId : osisId.substring(0, dot);
    }

    private void finishDocument() {
        List<String> text = paragraphs.take();
        if (documentName != null && !text.isEmpty()) {
            ready.add(new CorpusDocument(documentName, text));
        }
        documentName = null;
    }

    /** The value of {@code name="..."} (or single quotes) in a tag's attribute text, or null. */
    static String attribute(String attributes, String name) {
        int i = 0;
        while (true) {
            i = attributes.indexOf(name, i);
            if (i < 0) {
                return null;
            }
            boolean startsWord = i == 0 || Character.isWhitespace(attributes.charAt(i - 1));
            int j = i + name.length();
            while (j < attributes.length() && Character.isWhitespace(attributes.charAt(j))) {
                j++;
            }
            if (startsWord && j < attributes.length() && attributes.charAt(j) == '=') {
                j++;
                while (j < attributes.length() && Character.isWhitespace(attributes.charAt(j))) {
                    j++;
                }
                if (j < attributes.length()) {
                    char quote = attributes.charAt(j);
                    int end = attributes.indexOf(quote, j + 1);
                    if ((quote == '"' || quote == '\'') && end > j) {
                        return attributes.substring(j + 1, end);
                    }
                }
                return null;
            }
            i += name.length();
        }
    }

    private String decodeEntity(String name) {
        switch (name) {
            case "amp":
                return "&";
            case "lt":
                return "<";
            case "gt":
                return ">";
            case "quot":
                return "\"";
            case "apos":
                return "'";
            case "nbsp":
                return " ";
            default:
                break;
        }
        try {
            if (name.startsWith("#x") || name.startsWith("#X")) {
                return new String(Character.toChars(Integer.parseInt(name.substring(2), 16)));
            }
            if (name.startsWith("#")) {
                return new String(Character.toChars(Integer.parseInt(name.substring(1))));
            }
        } catch (IllegalArgumentException e) {
            // Not a valid character reference: keep the text as written.
        }
        entity.setLength(0);
        return entity.append('&').append(name).append(';').toString();
    }

    @Override
    public void close() throws IOException {
        for (Testament t : testaments) {
            t.close();
        }
    }

    /** One testament's three files, read entry by entry. */
    private static final class Testament {
        private final String name;
        private final FileChannel bzz;
        private final long[] blockOffset;
        private final int[] blockCompressed;
        private final int[] blockSize;
        private final int[] entryBlock;
        private final long[] entryOffset;
        private final int[] entrySize;
        private int entryIndex;
        private byte[] block;
        private int blockIndex = -1;

        Testament(Path module, String prefix) throws IOException {
            this.name = module.resolve(prefix).toString();
            Path bzs = module.resolve(prefix + ".bzs");
            Path bzzPath = module.resolve(prefix + ".bzz");
            if (!Files.isRegularFile(bzs) || !Files.isRegularFile(bzzPath)) {
                throw new CorpusFormatException("SWORD module " + module + " has " + prefix + ".bzv but lacks "
                        + prefix + ".bzs or " + prefix + ".bzz");
            }
            byte[] blocks = Files.readAllBytes(bzs);
            if (blocks.length % 12 != 0) {
                throw new CorpusFormatException(bzs + ": size " + blocks.length + " is not a multiple of 12");
            }
            long bzzSize = Files.size(bzzPath);
            int count = blocks.length / 12;
            blockOffset = new long[count];
            blockCompressed = new int[count];
            blockSize = new int[count];
            ByteBuffer b = ByteBuffer.wrap(blocks).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < count; k++) {
                blockOffset[k] = Integer.toUnsignedLong(b.getInt());
                long compressed = Integer.toUnsignedLong(b.getInt());
                long size = Integer.toUnsignedLong(b.getInt());
                if (blockOffset[k] + compressed > bzzSize || compressed > Integer.MAX_VALUE
                        || size > Integer.MAX_VALUE) {
                    throw new CorpusFormatException(bzs + ": block " + k + " [" + blockOffset[k] + ", +"
                            + compressed + ") lies outside " + bzzPath + " (" + bzzSize + " bytes)");
                }
                blockCompressed[k] = (int) compressed;
                blockSize[k] = (int) size;
            }

            // The verse index is small (10 bytes a verse, ~400 KB for a whole Bible): read it at once.
            Path bzvPath = module.resolve(prefix + ".bzv");
            byte[] index = Files.readAllBytes(bzvPath);
            if (index.length % 10 != 0) {
                throw new CorpusFormatException(bzvPath + ": size " + index.length + " is not a multiple of 10");
            }
            int entries = index.length / 10;
            entryBlock = new int[entries];
            entryOffset = new long[entries];
            entrySize = new int[entries];
            ByteBuffer e = ByteBuffer.wrap(index).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < entries; k++) {
                long blockNumber = Integer.toUnsignedLong(e.getInt());
                entryOffset[k] = Integer.toUnsignedLong(e.getInt());
                entrySize[k] = Short.toUnsignedInt(e.getShort());
                if (entrySize[k] > 0 && blockNumber >= count) {
                    throw new CorpusFormatException(bzvPath + ": entry " + k + " names block " + blockNumber
                            + " of " + count);
                }
                entryBlock[k] = (int) blockNumber;
            }
            recoverWrappedSizes();
            bzz = FileChannel.open(bzzPath, StandardOpenOption.READ);
        }

        /**
         * Entry sizes are 16 bits, so an entry over 64 KiB is stored with its size modulo 65536 (in the WEB the
         * whole Greek Daniel, 125,566 bytes, sits in one entry because NRSVA versification has no such book).
         * Entries are written one after another in their block, so the true size is the distance to the next
         * entry's start (or to the block's end) when that distance exceeds the stored size by a multiple of 65536.
         */
        private void recoverWrappedSizes() {
            long[] nextStart = new long[blockSize.length];
            for (int k = 0; k < blockSize.length; k++) {
                nextStart[k] = blockSize[k];
            }
            for (int k = entrySize.length - 1; k >= 0; k--) {
                if (entrySize[k] == 0) {
                    continue;
                }
                int blk = entryBlock[k];
                long gap = nextStart[blk] - entryOffset[k] - entrySize[k];
                if (gap > 0 && gap % 65536 == 0) {
                    entrySize[k] = (int) (nextStart[blk] - entryOffset[k]);
                }
                if (entryOffset[k] < nextStart[blk]) {
                    nextStart[blk] = entryOffset[k];
                }
            }
        }

        /** The next entry's OSIS text ("" for an empty entry), or null after the last. */
        String nextEntry() throws IOException {
            if (entryIndex == entrySize.length) {
                return null;
            }
            int k = entryIndex++;
            int size = entrySize[k];
            if (size == 0) {
                return "";
            }
            byte[] text = block(entryBlock[k]);
            long offset = entryOffset[k];
            if (offset + size > text.length) {
                throw new CorpusFormatException(name + ".bzv: entry " + k + " [" + offset + ", +" + size
                        + ") lies outside block " + entryBlock[k] + " (" + text.length + " bytes)");
            }
            int end = (int) offset + size;
            // Some modules end entries with NUL padding.
            while (end > offset && text[end - 1] == 0) {
                end--;
            }
            return new String(text, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
        }

        private byte[] block(int k) throws IOException {
            if (k == blockIndex) {
                return block;
            }
            ByteBuffer compressed = ByteBuffer.allocate(blockCompressed[k]);
            long position = blockOffset[k];
            while (compressed.hasRemaining()) {
                int n = bzz.read(compressed, position + compressed.position());
                if (n < 0) {
                    throw new EOFException(name + ".bzz: ends inside block " + k);
                }
            }
            Inflater inflater = new Inflater();
            try {
                inflater.setInput(compressed.array());
                byte[] out = new byte[blockSize[k]];
                int filled = 0;
                while (filled < out.length && !inflater.finished()) {
                    int n = inflater.inflate(out, filled, out.length - filled);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    filled += n;
                }
                if (filled != out.length) {
                    throw new CorpusFormatException(name + ".bzz: block " + k + " inflates to " + filled
                            + " bytes, the index says " + out.length);
                }
                block = out;
                blockIndex = k;
                return out;
            } catch (DataFormatException e) {
                throw new CorpusFormatException(name + ".bzz: block " + k + " is not a zlib stream ("
                        + e.getMessage() + ")", e);
            } finally {
                inflater.end();
            }
        }

        void close() throws IOException {
            bzz.close();
        }
    }
}
