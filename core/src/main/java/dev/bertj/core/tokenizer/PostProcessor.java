package dev.bertj.core.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * From the token sequences of one or two texts to the final {@link Encoding}: truncation with overflow windows,
 * BERT's template ({@code [CLS] A [SEP]} and {@code [CLS] A [SEP] B [SEP]}, type ids 0 then 1) and padding, following
 * HF tokenizers' {@code truncate_encodings}, {@code Encoding::truncate}, {@code TemplateProcessing} and
 * {@code Encoding::merge_with} step by step, including the order (and, for pairs where both texts overflow, the
 * nesting) of the overflow windows.
 */
final class PostProcessor {

    /** Pairs whose texts both overflow yield (windows of A) x (windows of B) encodings; refuse absurd products. */
    private static final long MAX_WINDOW_PRODUCT = 10_000;
    /** Windows repeat tokens (stride) and each becomes an Encoding: refuse settings that would multiply a text. */
    private static final long MAX_WINDOW_TOKENS = 1 << 24;

    private final Vocabulary vocabulary;
    private final String[] tokenStrings;
    private final int clsId;
    private final int sepId;

    PostProcessor(Vocabulary vocabulary, int clsId, int sepId) {
        this.vocabulary = vocabulary;
        this.tokenStrings = vocabulary.tokensById();
        this.clsId = clsId;
        this.sepId = sepId;
    }

    Encoding process(TokenSequence a, TokenSequence b, EncodeOptions options) {
        boolean specials = options.addSpecialTokens();
        if (specials && (clsId < 0 || sepId < 0)) {
            throw new IllegalArgumentException("the vocabulary lacks [CLS] or [SEP]; encode with addSpecialTokens=false");
        }
        int added = specials ? (b == null ? 2 : 3) : 0;
        Draft first = Draft.whole(a, 0);
        Draft second = b == null ? null : Draft.whole(b, 1);
        if (options.truncation() != Truncation.NONE) {
            int maxLength = options.maxLength() - added;
            if (maxLength <= 0) {
                throw new IllegalArgumentException("maxLength " + options.maxLength() + " leaves no room for text: the "
                        + (b == null ? "single" : "pair") + " template adds " + added + " special tokens");
            }
            if (options.stride() >= maxLength) {
                throw new IllegalArgumentException("stride " + options.stride() + " leaves no room: a window holds "
                        + maxLength + " text tokens (maxLength " + options.maxLength() + " minus " + added
                        + " special tokens), so the stride must be smaller");
            }
            truncate(a, b, first, second, maxLength, options);
        }
        if (options.padToMaxLength() && vocabulary.padId() < 0) {
            throw new IllegalArgumentException("the vocabulary has no [PAD] token to pad with");
        }
        Draft result = new Draft();
        if (specials) {
            result.mergeWith(Draft.special(clsId, 0));
            result.mergeWith(first);
            result.mergeWith(Draft.special(sepId, 0));
            if (second != null) {
                result.mergeWith(second);
                result.mergeWith(Draft.special(sepId, 1));
            }
        } else {
            result.mergeWith(first);
            if (second != null) {
                result.mergeWith(second);
            }
        }
        return materialize(result, options.padToMaxLength() ? options.maxLength() : 0);
    }

    /** HF's {@code truncate_encodings}: how many tokens each sequence keeps, then window each one. */
    private static void truncate(TokenSequence a, TokenSequence b, Draft first, Draft second, int maxLength,
                                 EncodeOptions options) {
        int n1 = a.length();
        int n2 = b == null ? 0 : b.length();
        int total = n1 + n2;
        if (total <= maxLength) {
            return;
        }
        int toRemove = total - maxLength;
        int stride = options.stride();
        switch (options.truncation()) {
            case LONGEST_FIRST -> {
                if (b == null) {
                    window(first, a, maxLength, stride, "the text");
                    return;
                }
                int keep1 = n1;
                int keep2 = n2;
                boolean swap = keep1 > keep2;
                if (swap) {
                    keep1 = n2;
                    keep2 = n1;
                }
                keep2 = keep1 > maxLength ? keep1 : Math.max(keep1, maxLength - keep1);
                if (keep1 + keep2 > maxLength) {
                    keep1 = maxLength / 2;
                    keep2 = keep1 + maxLength % 2;
                }
                if (swap) {
                    int t = keep1;
                    keep1 = keep2;
                    keep2 = t;
                }
                window(first, a, keep1, stride, "the first text");
                window(second, b, keep2, stride, "the second text");
                long product = (long) (first.overflowing.size() + 1) * (second.overflowing.size() + 1);
                if (!first.overflowing.isEmpty() && !second.overflowing.isEmpty() && product > MAX_WINDOW_PRODUCT) {
                    throw new IllegalArgumentException("both texts of the pair overflow into " + product
                            + " window combinations; truncate ONLY_FIRST or ONLY_SECOND instead");
                }
            }
            case ONLY_FIRST, ONLY_SECOND -> {
                boolean onFirst = options.truncation() == Truncation.ONLY_FIRST;
                if (!onFirst && b == null) {
                    throw new IllegalArgumentException("truncation ONLY_SECOND needs a second text, but only one was "
                            + "given and it is longer than maxLength " + options.maxLength());
                }
                TokenSequence target = onFirst ? a : b;
                if (target.length() <= toRemove) {
                    throw new IllegalArgumentException("cannot truncate only the " + (onFirst ? "first" : "second")
                            + " text to fit maxLength " + options.maxLength() + ": it has " + target.length()
                            + " tokens but " + toRemove + " must go");
                }
                window(onFirst ? first : second, target, target.length() - toRemove, stride,
                        onFirst ? "the first text" : "the second text");
            }
            default -> throw new IllegalStateException(options.truncation().toString());
        }
    }

    /** HF's {@code Encoding::truncate}: keep the first window, the rest become overflowing windows. */
    private static void window(Draft draft, TokenSequence sequence, int keep, int stride, String what) {
        int length = sequence.length();
        if (keep >= length) {
            return;
        }
        if (keep == 0) {
            draft.overflowing.add(Draft.slice(sequence, draft.runs.get(0).sequenceId(), 0, length));
            draft.runs.clear();
            return;
        }
        if (stride >= keep) {
            throw new IllegalArgumentException("stride " + stride + " leaves no room: truncation keeps " + keep
                    + " tokens of " + what + " per window, so the stride must be smaller");
        }
        int step = keep - stride;
        long windows = 1 + (length - keep + step - 1) / step;
        if (windows * keep > MAX_WINDOW_TOKENS) {
            throw new IllegalArgumentException("windows of " + keep + " tokens advancing by " + step + " would cut "
                    + what + " (" + length + " tokens) into " + windows + " windows; use a larger maxLength or a "
                    + "smaller stride");
        }
        int sequenceId = draft.runs.get(0).sequenceId();
        draft.runs.clear();
        draft.runs.add(new Run(sequence, sequenceId, sequenceId, 0, keep, -1));
        for (int start = step; ; start += step) {
            int stop = Math.min(start + keep, length);
            draft.overflowing.add(Draft.slice(sequence, sequenceId, start, stop));
            if (stop == length) {
                break;
            }
        }
    }

    private Encoding materialize(Draft draft, int padTo) {
        List<Encoding> overflowing = new ArrayList<>(draft.overflowing.size());
        for (Draft o : draft.overflowing) {
            overflowing.add(materialize(o, padTo));
        }
        int real = 0;
        for (Run run : draft.runs) {
            real += run.length();
        }
        int n = Math.max(real, padTo);
        int[] ids = new int[n];
        int[] typeIds = new int[n];
        int[] attention = new int[n];
        int[] special = new int[n];
        String[] tokens = new String[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        int[] sequenceIds = new int[n];
        int[] words = new int[n];
        int at = 0;
        for (Run run : draft.runs) {
            if (run.sequence() == null) {
                ids[at] = run.specialId();
                typeIds[at] = run.typeId();
                attention[at] = 1;
                special[at] = 1;
                tokens[at] = tokenStrings[run.specialId()];
                starts[at] = -1;
                ends[at] = -1;
                sequenceIds[at] = -1;
                words[at] = -1;
                at++;
                continue;
            }
            TokenSequence s = run.sequence();
            int len = run.length();
            System.arraycopy(s.ids(), run.from(), ids, at, len);
            System.arraycopy(s.starts(), run.from(), starts, at, len);
            System.arraycopy(s.ends(), run.from(), ends, at, len);
            System.arraycopy(s.words(), run.from(), words, at, len);
            for (int k = at; k < at + len; k++) {
                typeIds[k] = run.typeId();
                attention[k] = 1;
                tokens[k] = tokenStrings[ids[k]];
                sequenceIds[k] = run.sequenceId();
            }
            at += len;
        }
        if (at < n) {
            int padId = vocabulary.padId();
            String padToken = tokenStrings[padId];
            for (int k = at; k < n; k++) {
                ids[k] = padId;
                special[k] = 1;
                tokens[k] = padToken;
                starts[k] = -1;
                ends[k] = -1;
                sequenceIds[k] = -1;
                words[k] = -1;
            }
        }
        return new Encoding(ids, typeIds, attention, special, tokens, starts, ends, sequenceIds, words, overflowing);
    }

    /** Consecutive tokens of one sequence ({@code [from, to)}), or one template token ({@code sequence == null}). */
    private record Run(TokenSequence sequence, int sequenceId, int typeId, int from, int to, int specialId) {

        int length() {
            return sequence == null ? 1 : to - from;
        }
    }

    /** An encoding under construction: its runs and its overflowing encodings (HF's {@code Encoding} shape). */
    private static final class Draft {
        final List<Run> runs = new ArrayList<>(5);
        List<Draft> overflowing = new ArrayList<>(0);

        static Draft whole(TokenSequence sequence, int sequenceId) {
            return slice(sequence, sequenceId, 0, sequence.length());
        }

        static Draft slice(TokenSequence sequence, int sequenceId, int from, int to) {
            Draft d = new Draft();
            d.runs.add(new Run(sequence, sequenceId, sequenceId, from, to, -1));
            return d;
        }

        static Draft special(int id, int typeId) {
            Draft d = new Draft();
            d.runs.add(new Run(null, -1, typeId, 0, 1, id));
            return d;
        }

        Draft copy() {
            Draft d = new Draft();
            d.runs.addAll(runs);
            d.overflowing = new ArrayList<>(overflowing.size());
            for (Draft o : overflowing) {
                d.overflowing.add(o.copy());
            }
            return d;
        }

        /**
         * HF's {@code merge_with}: append {@code pair}, and combine the overflowing windows: each of ours with the
         * pair and with each of the pair's windows, then ourselves (with our old windows) with each of the pair's.
         * {@code pair} is not modified.
         */
        void mergeWith(Draft pair) {
            List<Draft> merged = new ArrayList<>();
            for (Draft mine : overflowing) {
                Draft n = mine.copy();
                n.mergeWith(pair);
                merged.add(n);
                for (Draft theirs : pair.overflowing) {
                    Draft m = mine.copy();
                    m.mergeWith(theirs);
                    merged.add(m);
                }
            }
            for (Draft theirs : pair.overflowing) {
                Draft n = copy();
                n.mergeWith(theirs);
                merged.add(n);
            }
            runs.addAll(pair.runs);
            overflowing = merged;
        }
    }
}
