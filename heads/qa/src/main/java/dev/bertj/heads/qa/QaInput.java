package dev.bertj.heads.qa;

import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.Truncation;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A question and its context cut into overlapping windows {@code [CLS] question [SEP] context-slice [SEP]}, the
 * same windows Hugging Face's tokenizer makes with {@code truncation="only_second"}, {@code stride=doc_stride} and
 * {@code return_overflowing_tokens} (Google's "doc spans"): each window holds as many context tokens as fit, and
 * starts {@code room - doc_stride} tokens after the previous one, until a window reaches the end of the context.
 */
public final class QaInput {

    private static final EncodeOptions NO_SPECIAL_TOKENS = new EncodeOptions(0, Truncation.NONE, 0, false, false);

    /**
     * One window: context tokens {@code [contextFrom, contextTo)} after a question of {@code questionLength} tokens.
     * Window position {@code p} holds context token {@code p - contextOffset() + contextFrom} when it is a context
     * position.
     */
    record Window(int index, int questionLength, int contextFrom, int contextTo) {

        /** Window position of the first context token: after [CLS], the question and its [SEP]. */
        int contextOffset() {
            return questionLength + 2;
        }

        int length() {
            return questionLength + WindowSettings.SPECIAL_TOKENS + contextTo - contextFrom;
        }

        boolean isContext(int position) {
            return position >= contextOffset() && position < contextOffset() + contextTo - contextFrom;
        }

        int contextToken(int position) {
            return position - contextOffset() + contextFrom;
        }

        int position(int contextToken) {
            return contextToken - contextFrom + contextOffset();
        }

        boolean contains(int contextToken) {
            return contextToken >= contextFrom && contextToken < contextTo;
        }
    }

    final String question;
    final TokenizedContext context;
    final int[] questionIds;
    /** Whether the question was cut to max_query_len tokens. */
    final boolean questionTruncated;
    final List<Window> windows;
    /** How many windows the whole context needs; more than {@code windows.size()} when max_windows cut it. */
    final int windowsNeeded;

    private QaInput(String question, TokenizedContext context, int[] questionIds, boolean questionTruncated,
                    List<Window> windows, int windowsNeeded) {
        this.question = question;
        this.context = context;
        this.questionIds = questionIds;
        this.questionTruncated = questionTruncated;
        this.windows = windows;
        this.windowsNeeded = windowsNeeded;
    }

    static QaInput of(WordPieceTokenizer tokenizer, String question, TokenizedContext context, WindowSettings s) {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("question answering needs a non-empty question");
        }
        Encoding q = tokenizer.encode(question, null, NO_SPECIAL_TOKENS);
        int[] qIds = q.ids();
        if (qIds.length == 0) {
            throw new IllegalArgumentException("the question has no tokens (only spaces or control characters?)");
        }
        boolean truncated = qIds.length > s.maxQueryLen();
        if (truncated) {
            qIds = java.util.Arrays.copyOf(qIds, s.maxQueryLen());
        }
        int room = s.maxSeqLen() - qIds.length - WindowSettings.SPECIAL_TOKENS;
        if (room <= 0) {
            // Unreachable with validated settings; kept so that a bad setting never makes empty windows.
            throw new IllegalArgumentException("a question of " + qIds.length + " tokens leaves no room for the context "
                    + "in a window of max_seq_len " + s.maxSeqLen());
        }
        int n = context.length();
        int step = room - s.docStride();
        int needed = n <= room ? 1 : 1 + (n - room + step - 1) / step;
        int count = Math.min(needed, s.maxWindows());
        List<Window> windows = new ArrayList<>(count);
        for (int w = 0; w < count; w++) {
            int from = w * step;
            windows.add(new Window(w, qIds.length, from, Math.min(n, from + room)));
        }
        return new QaInput(question, context, qIds, truncated, Collections.unmodifiableList(windows), needed);
    }

    static QaInput of(WordPieceTokenizer tokenizer, String question, String context, WindowSettings s) {
        return of(tokenizer, question, TokenizedContext.of(tokenizer, context), s);
    }

    /** {@code [CLS] question [SEP] context-slice [SEP]}. */
    int[] inputIds(Window w, Vocabulary vocab) {
        int[] ids = new int[w.length()];
        int k = 0;
        ids[k++] = vocab.clsId();
        System.arraycopy(questionIds, 0, ids, k, questionIds.length);
        k += questionIds.length;
        ids[k++] = vocab.sepId();
        System.arraycopy(context.ids, w.contextFrom(), ids, k, w.contextTo() - w.contextFrom());
        k += w.contextTo() - w.contextFrom();
        ids[k] = vocab.sepId();
        return ids;
    }

    /** Segment 0 for [CLS], the question and its [SEP]; 1 for the context and the last [SEP]. */
    int[] typeIds(Window w) {
        int[] types = new int[w.length()];
        java.util.Arrays.fill(types, w.contextOffset(), types.length, 1);
        return types;
    }
}
