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
                    w.flushWord(model);
                    int end = i + t.content().length();
                    w.emit(t.id(), i, end);
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
                w.push(v, i, next, model);
            } else if (v != CharNormalizer.REMOVED) {
                int at = -2 - v;
                for (int k = 1, count = pool[at]; k <= count; k++) {
                    w.push(pool[at + k], i, next, model);
                }
            }
            i = next;
        }
        w.flushWord(model);
        TokenSequence sequence = w.result();
        if (w.ids.length > RETAINED_CAPACITY) {
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
