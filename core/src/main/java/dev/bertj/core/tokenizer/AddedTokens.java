package dev.bertj.core.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Tokens matched verbatim in the raw text before normalization, such as {@code [MASK]} and {@code [SEP]} (HF's added
 * tokens with {@code normalized: false}). A match becomes one token with its own id and is never split or lowercased;
 * so {@code [MASK]} is the mask token while {@code [mask]} is the three tokens {@code [ mask ]}, as in HF.
 *
 * <p>Matching is leftmost-longest and non-overlapping, as HF's Aho-Corasick matcher does: scanning left to right, the
 * first position where some token matches wins, with the longest token matching there.
 */
final class AddedTokens {

    /** One added token. {@code special} tokens are dropped by {@code decode(ids, true)}. */
    record Token(String content, int id, boolean special) {
    }

    private final Token[] tokens;
    private final java.util.BitSet specialIds = new java.util.BitSet();
    /** For each UTF-16 unit, whether some token starts with it (all tokens are non-empty). */
    private final boolean[] firstChar = new boolean[0x10000];

    AddedTokens(List<Token> tokens) {
        List<Token> sorted = new ArrayList<>();
        for (Token t : tokens) {
            if (t.content().isEmpty()) {
                throw new IllegalArgumentException("an added token cannot be empty");
            }
            sorted.add(t);
            if (t.special()) {
                specialIds.set(t.id());
            }
            firstChar[t.content().charAt(0)] = true;
        }
        // Longest first, so the first hit at a position is the longest match there.
        sorted.sort(Comparator.comparingInt((Token t) -> t.content().length()).reversed());
        this.tokens = sorted.toArray(new Token[0]);
    }

    boolean isEmpty() {
        return tokens.length == 0;
    }

    /** Whether a token may start with this UTF-16 unit (a cheap pre-test for the hot loop). */
    boolean mayStartWith(char c) {
        return firstChar[c];
    }

    /** The longest token matching {@code text} at {@code at}, or null. */
    Token matchAt(String text, int at) {
        for (Token t : tokens) {
            if (text.startsWith(t.content(), at)) {
                return t;
            }
        }
        return null;
    }

    boolean isSpecial(int id) {
        return id >= 0 && specialIds.get(id);
    }

    List<Token> all() {
        return List.of(tokens);
    }
}
