package dev.bertj.core.tokenizer;

import java.util.Map;

/**
 * The WordPiece model: greedy longest-match-first segmentation of one normalized word into vocabulary pieces.
 *
 * <p>The vocabulary is a character trie. A word starts at the root; every later piece starts at the node reached by
 * the continuation prefix {@code ##}, so {@code "##ing"} and {@code "ing"} share no special handling. From a start
 * position, walking the trie as far as the word allows and remembering the last node that ends a token gives the
 * longest piece in the vocabulary, which is exactly what HF's loop over ever shorter substrings finds, without
 * building a substring per attempt. A word with an unmatched position, or longer than
 * {@code maxInputCharsPerWord} characters, is one {@code [UNK]} covering the whole word.
 *
 * <p>Transitions live in one open-addressing hash table keyed by (node, code point), so lookups cost a multiply and
 * a probe, and the model's size does not depend on the alphabet.
 */
final class WordPieceModel {

    private static final long EMPTY = -1L;

    private final int unkId;
    private final int maxInputCharsPerWord;
    private final int root = 0;
    /** The node after the continuation prefix, or -1 if no vocabulary entry starts with it. */
    private final int continuationRoot;
    private final long[] keys;
    private final int[] children;
    private final int mask;
    private final int shift;
    /** Token id ending at each node, or -1. */
    private final int[] nodeToken;

    WordPieceModel(Map<String, Integer> vocab, String continuationPrefix, int unkId, int maxInputCharsPerWord) {
        if (unkId < 0) {
            throw new IllegalArgumentException("the vocabulary has no unknown token: WordPiece needs one for "
                    + "words it cannot split");
        }
        this.unkId = unkId;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        int transitions = 0;
        for (String token : vocab.keySet()) {
            transitions += token.codePointCount(0, token.length());
        }
        int capacity = Integer.highestOneBit(Math.max(16, transitions * 2 + 1)) << 1;
        keys = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        children = new int[capacity];
        mask = capacity - 1;
        shift = 64 - Integer.numberOfTrailingZeros(capacity);
        int[] tokenAtNode = new int[transitions + 1];
        java.util.Arrays.fill(tokenAtNode, -1);
        int nodes = 1;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String token = e.getKey();
            int node = root;
            for (int i = 0; i < token.length(); ) {
                int cp = token.codePointAt(i);
                i += Character.charCount(cp);
                int next = child(node, cp);
                if (next < 0) {
                    next = nodes++;
                    insert(node, cp, next);
                }
                node = next;
            }
            // A token that is a prefix of nothing and empty maps to the root; an empty token never matches a piece.
            if (node != root) {
                tokenAtNode[node] = e.getValue();
            }
        }
        nodeToken = java.util.Arrays.copyOf(tokenAtNode, nodes);
        int cont = root;
        for (int i = 0; i < continuationPrefix.length() && cont >= 0; ) {
            int cp = continuationPrefix.codePointAt(i);
            i += Character.charCount(cp);
            cont = child(cont, cp);
        }
        continuationRoot = cont;
    }

    int unkId() {
        return unkId;
    }

    int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    /**
     * Segments the word {@code word[0, length)} (code points). Writes for each piece its id into {@code ids} and its
     * start and end index into the word into {@code starts}/{@code ends}, from position {@code at}; returns the
     * number of pieces. The arrays must have room for {@code length} pieces. An unknown word yields one piece,
     * {@code [UNK]} over the whole word.
     */
    int tokenize(int[] word, int length, int[] ids, int[] starts, int[] ends, int at) {
        if (length > maxInputCharsPerWord) {
            return unknown(length, ids, starts, ends, at);
        }
        int count = 0;
        int start = 0;
        while (start < length) {
            int node = start == 0 ? root : continuationRoot;
            int bestId = -1;
            int bestEnd = -1;
            for (int i = start; i < length && node >= 0; i++) {
                node = child(node, word[i]);
                if (node >= 0 && nodeToken[node] >= 0) {
                    bestId = nodeToken[node];
                    bestEnd = i + 1;
                }
            }
            if (bestId < 0) {
                return unknown(length, ids, starts, ends, at);
            }
            ids[at + count] = bestId;
            starts[at + count] = start;
            ends[at + count] = bestEnd;
            count++;
            start = bestEnd;
        }
        return count;
    }

    private int unknown(int length, int[] ids, int[] starts, int[] ends, int at) {
        ids[at] = unkId;
        starts[at] = 0;
        ends[at] = length;
        return 1;
    }

    private int child(int node, int cp) {
        long key = ((long) node << 21) | cp;
        int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return children[slot];
            }
            if (k == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void insert(int node, int cp, int childNode) {
        long key = ((long) node << 21) | cp;
        int slot = (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
        while (keys[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        children[slot] = childNode;
    }
}
