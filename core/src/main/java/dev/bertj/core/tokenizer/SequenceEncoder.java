package dev.bertj.core.tokenizer;

import java.util.Arrays;

/**
 * Turns one text into WordPiece tokens with their spans in the original text: added-token matching, normalization,
 * pre-tokenization and WordPiece in a single pass over the characters.
 *
 * <p>Each input character is looked up in the {@link CharNormalizer} table and yields normalized characters tagged
 * word / isolated / boundary; word characters accumulate in a buffer (with the span of the input character each came
 * from) until a boundary, then the word goes through the {@link WordPieceModel}. A piece covering normalized
 * characters {@code [s, e)} of a word spans the original text from the start of character {@code s}'s source to the
 * end of character {@code e - 1}'s source: the offsets HF computes from its alignments.
 *
 * <p>Thread-safe: the per-call buffers live in a thread-local workspace, so the hot path allocates only the result.
 */
final class SequenceEncoder {

    /** Workspace arrays above this many entries are dropped after use, so one huge text does not pin memory. */
    private static final int RETAINED_CAPACITY = 1 << 16;

    private final int[] bmp;
    private final int[] pool;
    private final CharNormalizer normalizer;
    private final WordPieceModel model;
    private final AddedTokens added;
    private final ThreadLocal<Workspace> workspaces;

    SequenceEncoder(CharNormalizer normalizer, WordPieceModel model, AddedTokens added) {
        this.normalizer = normalizer;
        this.bmp = normalizer.bmpTable();
        this.pool = normalizer.pool();
        this.model = model;
        this.added = added;
        this.workspaces = ThreadLocal.withInitial(() -> new Workspace(model.maxInputCharsPerWord()));
    }

    /**
     * A character whose decomposition holds combining marks ({@code n} pairs at {@code pool[at + 1]}). Starters are
     * emitted at once; non-starters join the run that {@link Workspace#flushRun} sorts. The first character of a
     * decomposition takes the place of its source character, the others are "inserted" after it (HF's alignments).
     */
    private void decomposition(Workspace w, int at, int n, int start, int end) {
        for (int k = 0; k < n; k++) {
            int c = pool[at + 1 + 2 * k];
            int element = pool[at + 2 + 2 * k];
            int combiningClass = c >>> CharNormalizer.CLASS_SHIFT;
            if (combiningClass != 0) {
                w.addToRun(combiningClass, element, k == 0, start, end);
                continue;
            }
            w.flushRun(model);
            if (k == 0) {
                w.consume(start, end);
            }
            if (element != CharNormalizer.REMOVED) {
                w.push(element, w.lastStart, w.lastEnd, model);
            }
        }
    }

    /** Encodes one text (an input sequence of the template). */
    TokenSequence encode(String text) {
        Workspace w = workspaces.get();
        w.start();
        int n = text.length();
        boolean matchAdded = !added.isEmpty();
        int i = 0;
        while (i < n) {
            char ch = text.charAt(i);
            if (matchAdded && added.mayStartWith(ch)) {
                AddedTokens.Token t = added.matchAt(text, i);
                if (t != null) {
                    w.flushRun(model);
                    w.flushWord(model);
                    int end = i + t.content().length();
                    w.emit(t.id(), i, end);
                    // The text after an added token is normalized on its own, as a new piece.
                    w.consume(end, end);
                    i = end;
                    continue;
                }
            }
            int cp = ch;
            int next = i + 1;
            if (Character.isHighSurrogate(ch) && next < n && Character.isLowSurrogate(text.charAt(next))) {
                cp = Character.toCodePoint(ch, text.charAt(next));
                next++;
            }
            int v = cp < 0x10000 ? bmp[cp] : normalizer.lookup(cp);
            if (v >= 0) {
                w.flushRun(model);
                w.consume(i, next);
                w.push(v, i, next, model);
            } else if (v != CharNormalizer.REMOVED) {
                int at = -2 - v;
                int count = pool[at];
                if (count >= 0) {
                    w.flushRun(model);
                    w.consume(i, next);
                    for (int k = 1; k <= count; k++) {
                        w.push(pool[at + k], i, next, model);
                    }
                } else {
                    decomposition(w, at, -count, i, next);
                }
            }
            i = next;
        }
        w.flushRun(model);
        w.flushWord(model);
        TokenSequence sequence = w.result();
        if (w.ids.length > RETAINED_CAPACITY || w.runClass.length > RETAINED_CAPACITY) {
            workspaces.remove();
        }
        return sequence;
    }

    /** The growing buffers of one encode call. */
    private static final class Workspace {
        // The current word: its normalized code points and each one's source span. Only the first
        // maxInputCharsPerWord + 1 characters are kept: a longer word is [UNK] whatever its content.
        final int[] wordChars;
        final int[] wordStarts;
        final int[] wordEnds;
        int wordLength;
        int wordEnd;
        // The tokens so far.
        int[] ids = new int[64];
        int[] starts = new int[64];
        int[] ends = new int[64];
        int[] words = new int[64];
        int count;
        int wordIndex;
        // The current run of non-starters (combining marks) awaiting canonical ordering: each one's combining class
        // and what it becomes, and the spans, which stay in place while the characters are sorted.
        int[] runClass = new int[8];
        int[] runElement = new int[8];
        boolean[] runFirst = new boolean[8];
        int runLength;
        // Spans of the run's source characters, in text order (one per decomposition that starts in the run).
        int[] runStart = new int[8];
        int[] runEnd = new int[8];
        int runSources;
        // The span of the last source character normalization consumed: where an inserted character points.
        int lastStart;
        int lastEnd;

        Workspace(int maxInputCharsPerWord) {
            int keep = maxInputCharsPerWord + 1;
            wordChars = new int[keep];
            wordStarts = new int[keep];
            wordEnds = new int[keep];
        }

        void start() {
            wordLength = 0;
            count = 0;
            wordIndex = 0;
            runLength = 0;
            runSources = 0;
            lastStart = 0;
            lastEnd = 0;
        }

        void consume(int start, int end) {
            lastStart = start;
            lastEnd = end;
        }

        void addToRun(int combiningClass, int element, boolean first, int start, int end) {
            if (runLength == runClass.length) {
                int capacity = 2 * runLength;
                runClass = Arrays.copyOf(runClass, capacity);
                runElement = Arrays.copyOf(runElement, capacity);
                runFirst = Arrays.copyOf(runFirst, capacity);
                runStart = Arrays.copyOf(runStart, capacity);
                runEnd = Arrays.copyOf(runEnd, capacity);
            }
            runClass[runLength] = combiningClass;
            runElement[runLength] = element;
            runFirst[runLength] = first;
            runLength++;
            if (first) {
                runStart[runSources] = start;
                runEnd[runSources] = end;
                runSources++;
            }
        }

        /**
         * Canonical ordering, as NFD does: a stable sort of the run by combining class. Spans follow HF's alignments:
         * walking the sorted run, a character that began a decomposition takes the next source character's span (in
         * text order), an inserted one the span last taken.
         */
        void flushRun(WordPieceModel model) {
            if (runLength == 0) {
                return;
            }
            boolean sorted = true;
            for (int k = 1; k < runLength && sorted; k++) {
                sorted = runClass[k - 1] <= runClass[k];
            }
            if (!sorted) {
                sortRun();
            }
            int source = 0;
            for (int k = 0; k < runLength; k++) {
                if (runFirst[k]) {
                    consume(runStart[source], runEnd[source]);
                    source++;
                }
                if (runElement[k] != CharNormalizer.REMOVED) {
                    push(runElement[k], lastStart, lastEnd, model);
                }
            }
            runLength = 0;
            runSources = 0;
        }

        /** Stable counting sort by class (classes are 1..255), linear in the run's length. */
        private void sortRun() {
            int[] counts = new int[257];
            for (int k = 0; k < runLength; k++) {
                counts[runClass[k] + 1]++;
            }
            for (int c = 1; c < counts.length; c++) {
                counts[c] += counts[c - 1];
            }
            int[] classes = new int[runLength];
            int[] elements = new int[runLength];
            boolean[] firsts = new boolean[runLength];
            for (int k = 0; k < runLength; k++) {
                int to = counts[runClass[k]]++;
                classes[to] = runClass[k];
                elements[to] = runElement[k];
                firsts[to] = runFirst[k];
            }
            System.arraycopy(classes, 0, runClass, 0, runLength);
            System.arraycopy(elements, 0, runElement, 0, runLength);
            System.arraycopy(firsts, 0, runFirst, 0, runLength);
        }

        void push(int element, int start, int end, WordPieceModel model) {
            if (element < (1 << CharNormalizer.CLASS_SHIFT)) { // WORD: the element is the code point
                append(element, start, end);
                return;
            }
            flushWord(model);
            if (CharNormalizer.elementClass(element) == CharNormalizer.ISOLATED) {
                append(CharNormalizer.codePoint(element), start, end);
                flushWord(model);
            }
        }

        private void append(int cp, int start, int end) {
            if (wordLength < wordChars.length) {
                wordChars[wordLength] = cp;
                wordStarts[wordLength] = start;
                wordEnds[wordLength] = end;
            }
            wordLength++;
            wordEnd = end;
        }

        /** Emits a token that is a word of its own (an added token). */
        void emit(int id, int start, int end) {
            ensureRoom(1);
            ids[count] = id;
            starts[count] = start;
            ends[count] = end;
            words[count] = wordIndex++;
            count++;
        }

        void flushWord(WordPieceModel model) {
            if (wordLength == 0) {
                return;
            }
            if (wordLength > model.maxInputCharsPerWord()) {
                ensureRoom(1);
                ids[count] = model.unkId();
                starts[count] = wordStarts[0];
                ends[count] = wordEnd;
                words[count] = wordIndex;
                count++;
            } else {
                ensureRoom(wordLength);
                int pieces = model.tokenize(wordChars, wordLength, ids, starts, ends, count);
                for (int k = count; k < count + pieces; k++) {
                    starts[k] = wordStarts[starts[k]];
                    ends[k] = wordEnds[ends[k] - 1];
                    words[k] = wordIndex;
                }
                count += pieces;
            }
            wordIndex++;
            wordLength = 0;
        }

        private void ensureRoom(int more) {
            if (count + more > ids.length) {
                int capacity = Math.max(2 * ids.length, count + more);
                ids = Arrays.copyOf(ids, capacity);
                starts = Arrays.copyOf(starts, capacity);
                ends = Arrays.copyOf(ends, capacity);
                words = Arrays.copyOf(words, capacity);
            }
        }

        TokenSequence result() {
            return new TokenSequence(Arrays.copyOf(ids, count), Arrays.copyOf(starts, count),
                    Arrays.copyOf(ends, count), Arrays.copyOf(words, count));
        }
    }
}
