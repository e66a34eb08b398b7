package dev.bertj.core.tokenizer;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * BERT's normalizer (HF {@code BertNormalizer}) and the character test of its pre-tokenizer ({@code BertPreTokenizer}),
 * folded into one lookup per input code point.
 *
 * <p>Every step of the normalizer maps one character to zero or more characters independently of its neighbours:
 * clean-up drops controls and turns whitespace into a space, Chinese characters get spaces around them, accent
 * stripping is NFD followed by dropping nonspacing marks, and lowercasing is per character. The pre-tokenizer then
 * splits on whitespace and isolates punctuation. So the whole front end is a function from one code point to a short
 * list of <em>elements</em>, each a normalized code point tagged with how the pre-tokenizer treats it:
 * {@link #WORD} (part of a word), {@link #ISOLATED} (a word of its own: punctuation and Chinese characters) or
 * {@link #BOUNDARY} (whitespace: ends the current word, produces no token). Every element keeps the original
 * character's span, which is exactly how HF's alignments map normalized characters back to the input.
 *
 * <p>One step is not per character: NFD also sorts each run of consecutive combining marks (non-starters) by
 * canonical combining class, across input characters, and HF's alignments then give the k-th character of the run
 * the span of the k-th character before sorting. So with accent stripping, a character whose decomposition holds a
 * non-starter maps to a <em>run entry</em> listing its decomposition, and the encoder sorts runs itself (see
 * {@link SequenceEncoder}). Runs are almost always already in order, and then the result is per character.
 *
 * <p>The function is tabulated once per option set for the whole BMP (one {@code int} per character), so the hot
 * loop is one array read per character. Supplementary characters are looked up in a small sorted table of the
 * non-trivial ones.
 *
 * <p>Table values: an element ({@code >= 0}, one element; the class bits are 0 for a word character, so the value
 * is then the code point); {@link #REMOVED} (dropped by clean-up before anything else sees it); or {@code -2 - i}
 * pointing into {@link #pool()}, where {@code pool[i] = n >= 0} is followed by {@code n} elements (0 for a character
 * accent stripping removed entirely), and {@code pool[i] = -n} marks a run entry followed by {@code n} pairs
 * {@code (combiningClass << CLASS_SHIFT | codePoint, element-or-REMOVED)}, the decomposition before stripping and
 * what each of its characters becomes.
 */
final class CharNormalizer {

    /** Element classes, stored in the bits above the code point. */
    static final int WORD = 0;
    static final int ISOLATED = 1;
    static final int BOUNDARY = 2;
    static final int CLASS_SHIFT = 21;
    static final int CODE_POINT_MASK = (1 << CLASS_SHIFT) - 1;

    /** Table value of a character that normalizes to nothing. */
    static final int REMOVED = -1;

    /** One normalizer per combination of the four switches, built on first use. */
    private static final ConcurrentHashMap<Integer, CharNormalizer> SHARED = new ConcurrentHashMap<>();

    private final boolean cleanText;
    private final boolean tokenizeChineseChars;
    private final boolean stripAccents;
    private final boolean lowercase;

    /**
     * For each BMP character: an element ({@code >= 0}), {@link #REMOVED}, or {@code -2 - i} where {@code pool[i]}
     * is an element count followed by that many elements.
     */
    private final int[] bmp = new int[0x10000];
    /** Supplementary code points whose lookup is not the default, sorted, with their table values. */
    private final int[] supplementaryKeys;
    private final int[] supplementaryValues;
    private int[] pool = new int[64];
    private int poolSize;

    private CharNormalizer(boolean cleanText, boolean tokenizeChineseChars, boolean stripAccents, boolean lowercase) {
        this.cleanText = cleanText;
        this.tokenizeChineseChars = tokenizeChineseChars;
        this.stripAccents = stripAccents;
        this.lowercase = lowercase;
        for (int cp = 0; cp < 0x10000; cp++) {
            bmp[cp] = valueOf(Character.isSurrogate((char) cp) ? 0xFFFD : cp);
        }
        int[] keys = new int[256];
        int[] values = new int[256];
        int n = 0;
        for (int cp = 0x10000; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp == 0x20000) {
                cp = 0x2F800; // CJK ideographs (planes 2-3): only the compatibility block below decomposes
            } else if (cp == 0x2FA20) {
                cp = 0xE0000; // planes 3-13 hold ideographs and nothing yet; plane 14 tags and variation selectors
            } else if (cp == 0xE1000) {
                break; // planes 15-16: private use, removed or kept by the default rule
            }
            if (!mayBeSpecial(cp)) {
                continue;
            }
            int value = valueOf(cp);
            if (value == defaultSupplementary(cp)) {
                continue;
            }
            if (n == keys.length) {
                keys = Arrays.copyOf(keys, 2 * n);
                values = Arrays.copyOf(values, 2 * n);
            }
            keys[n] = cp;
            values[n++] = value;
        }
        supplementaryKeys = Arrays.copyOf(keys, n);
        supplementaryValues = Arrays.copyOf(values, n);
        pool = Arrays.copyOf(pool, poolSize);
    }

    /** The shared, immutable normalizer for these options (tables are built once per option set). */
    static CharNormalizer of(TokenizerOptions options) {
        boolean clean = options.cleanText();
        boolean chinese = options.tokenizeChineseChars();
        boolean strip = options.effectiveStripAccents();
        boolean lower = options.lowercase();
        int key = (clean ? 1 : 0) | (chinese ? 2 : 0) | (strip ? 4 : 0) | (lower ? 8 : 0);
        return SHARED.computeIfAbsent(key, k -> new CharNormalizer(clean, chinese, strip, lower));
    }

    /**
     * The table value for a code point: an element, {@link #REMOVED}, or a pool reference (see {@link #pool()}).
     * Lone surrogates behave like U+FFFD, the replacement character a UTF-8 encoder substitutes for them.
     */
    int lookup(int cp) {
        if (cp < 0x10000) {
            return bmp[cp];
        }
        int i = Arrays.binarySearch(supplementaryKeys, cp);
        return i >= 0 ? supplementaryValues[i] : defaultSupplementary(cp);
    }

    /** The BMP part of the table, indexed by UTF-16 unit (shared: callers must not modify it). */
    int[] bmpTable() {
        return bmp;
    }

    /** Elements of multi-element lookups: {@code pool[-2 - value]} is the count, the elements follow. */
    int[] pool() {
        return pool;
    }

    /** The elements of one code point on its own (no neighbours to reorder with); for tests and the trainer. */
    int[] elements(int cp) {
        int v = lookup(cp);
        if (v == REMOVED) {
            return new int[0];
        }
        if (v >= 0) {
            return new int[] {v};
        }
        int at = -2 - v;
        int n = pool[at];
        if (n >= 0) {
            return Arrays.copyOfRange(pool, at + 1, at + 1 + n);
        }
        int[] out = new int[-n];
        int k = 0;
        for (int j = 0; j < -n; j++) {
            int element = pool[at + 2 + 2 * j];
            if (element != REMOVED) {
                out[k++] = element;
            }
        }
        return Arrays.copyOf(out, k);
    }

    static int codePoint(int element) {
        return element & CODE_POINT_MASK;
    }

    static int elementClass(int element) {
        return element >>> CLASS_SHIFT;
    }

    /** The value of a supplementary character that is neither removed, punctuation, Chinese, nor changed. */
    private int defaultSupplementary(int cp) {
        if (cleanText && UnicodeTables.isOther(cp)) {
            return REMOVED;
        }
        if (tokenizeChineseChars && UnicodeTables.isChinese(cp)) {
            return (ISOLATED << CLASS_SHIFT) | cp;
        }
        return cp;
    }

    /** A cheap filter: only these supplementary characters can differ from {@link #defaultSupplementary}. */
    private boolean mayBeSpecial(int cp) {
        if (UnicodeTables.isPunctuation(cp) || UnicodeTables.isOther(cp)) {
            return true;
        }
        if (lowercase && UnicodeTables.toLowerCase(cp) != cp) {
            return true;
        }
        if (!Character.isDefined(cp)) {
            return false;
        }
        return stripAccents && (UnicodeTables.isNonspacingMark(cp) || UnicodeTables.combiningClass(cp) != 0
                || !Normalizer.isNormalized(new String(Character.toChars(cp)), Normalizer.Form.NFD));
    }

    /** The table value of one code point: HF's normalizer steps in HF's order, then the pre-tokenizer's test. */
    private int valueOf(int cp) {
        if (cleanText) {
            boolean tabOrNewline = cp == '\t' || cp == '\n' || cp == '\r';
            if (cp == 0 || cp == 0xFFFD || (!tabOrNewline && UnicodeTables.isOther(cp))) {
                return REMOVED;
            }
            if (tabOrNewline || UnicodeTables.isWhiteSpace(cp)) {
                cp = ' ';
            }
        }
        boolean chinese = tokenizeChineseChars && UnicodeTables.isChinese(cp);
        int[] chars = stripAccents ? decompose(cp) : new int[] {cp};
        if (stripAccents) {
            boolean run = false;
            for (int c : chars) {
                run |= UnicodeTables.combiningClass(c) != 0;
            }
            if (run) {
                int[] entry = new int[2 * chars.length];
                for (int j = 0; j < chars.length; j++) {
                    int c = chars[j];
                    int[] after = afterDecomposition(c);
                    entry[2 * j] = (UnicodeTables.combiningClass(c) << CLASS_SHIFT) | c;
                    entry[2 * j + 1] = after.length == 0 ? REMOVED : after[0];
                }
                return store(-chars.length, entry);
            }
        }
        int[] elements = new int[0];
        for (int c : chars) {
            int[] after = afterDecomposition(c);
            int at = elements.length;
            elements = Arrays.copyOf(elements, at + after.length);
            System.arraycopy(after, 0, elements, at, after.length);
        }
        if (chinese) {
            // Spaces around the character make it a word of its own.
            if (elements.length == 1 && elementClass(elements[0]) == WORD) {
                elements = new int[] {(ISOLATED << CLASS_SHIFT) | codePoint(elements[0])};
            } else {
                int[] spaced = new int[elements.length + 2];
                spaced[0] = (BOUNDARY << CLASS_SHIFT) | ' ';
                System.arraycopy(elements, 0, spaced, 1, elements.length);
                spaced[spaced.length - 1] = (BOUNDARY << CLASS_SHIFT) | ' ';
                elements = spaced;
            }
        }
        return elements.length == 1 ? elements[0] : store(elements.length, elements);
    }

    /** The steps after NFD for one character: drop nonspacing marks, lowercase, classify for the pre-tokenizer. */
    private int[] afterDecomposition(int c) {
        if (stripAccents && UnicodeTables.isNonspacingMark(c)) {
            return new int[0];
        }
        int[] chars = lowercase ? lowercase(c) : new int[] {c};
        int[] elements = new int[chars.length];
        for (int i = 0; i < chars.length; i++) {
            int x = chars[i];
            int cls = UnicodeTables.isWhiteSpace(x) ? BOUNDARY : UnicodeTables.isPunctuation(x) ? ISOLATED : WORD;
            elements[i] = (cls << CLASS_SHIFT) | x;
        }
        return elements;
    }

    /** NFD as the reference has it: the JDK's decomposition, minus those newer than the reference's data. */
    private static int[] decompose(int cp) {
        if (!UnicodeTables.hasReferenceDecomposition(cp)) {
            return new int[] {cp};
        }
        return Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD).codePoints().toArray();
    }

    /**
     * Per-character full lowercase mapping, as Rust's {@code char::to_lowercase}: the simple mapping, except U+0130
     * whose unconditional full mapping is two characters. No context rules (no final sigma).
     */
    private static int[] lowercase(int c) {
        return c == 0x130 ? new int[] {'i', 0x307} : new int[] {UnicodeTables.toLowerCase(c)};
    }

    /** Appends a pool entry: a header, then the values; returns its table value. */
    private int store(int header, int[] values) {
        if (poolSize + values.length + 1 > pool.length) {
            pool = Arrays.copyOf(pool, Math.max(2 * pool.length, poolSize + values.length + 1));
        }
        int at = poolSize;
        pool[poolSize++] = header;
        System.arraycopy(values, 0, pool, poolSize, values.length);
        poolSize += values.length;
        return -2 - at;
    }
}
