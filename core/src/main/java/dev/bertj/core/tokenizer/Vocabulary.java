package dev.bertj.core.tokenizer;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A WordPiece vocabulary: token strings and their ids, plus the ids of BERT's special tokens. Immutable.
 *
 * <p>Continuation pieces carry the {@code ##} prefix, as in {@code vocab.txt}. Special token ids are {@code -1} when
 * the vocabulary has no such token.
 */
public final class Vocabulary {

    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";
    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final int clsId;
    private final int sepId;
    private final int maskId;
    private final int padId;
    private final int unkId;

    Vocabulary(Map<String, Integer> tokenToId, String cls, String sep, String mask, String pad, String unk) {
        if (tokenToId.isEmpty()) {
            throw new IllegalArgumentException("the vocabulary is empty");
        }
        int maxId = -1;
        for (Map.Entry<String, Integer> e : tokenToId.entrySet()) {
            int id = e.getValue();
            if (id < 0) {
                throw new IllegalArgumentException("negative id " + id + " for token '" + e.getKey() + "'");
            }
            maxId = Math.max(maxId, id);
        }
        if (maxId >= 50_000_000) {
            throw new IllegalArgumentException("token id " + maxId + " is implausibly large for a WordPiece vocabulary");
        }
        this.tokens = new String[maxId + 1];
        this.ids = Collections.unmodifiableMap(new HashMap<>(tokenToId));
        for (Map.Entry<String, Integer> e : tokenToId.entrySet()) {
            tokens[e.getValue()] = e.getKey();
        }
        this.clsId = id(cls);
        this.sepId = id(sep);
        this.maskId = id(mask);
        this.padId = id(pad);
        this.unkId = id(unk);
    }

    /** A vocabulary with BERT's standard special token names. */
    public static Vocabulary of(Map<String, Integer> tokenToId) {
        return new Vocabulary(tokenToId, CLS, SEP, MASK, PAD, UNK);
    }

    /** A vocabulary whose ids are the positions in the list (as in {@code vocab.txt}). */
    public static Vocabulary of(List<String> tokensInIdOrder) {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (int i = 0; i < tokensInIdOrder.size(); i++) {
            map.put(tokensInIdOrder.get(i), i);
        }
        return of(map);
    }

    /**
     * Reads {@code vocab.txt}: one token per line, the id is the line number (from 0). Lines end at {@code \n},
     * {@code \r\n} or {@code \r}; nothing else is trimmed. A token that appears twice keeps its last id, as in
     * Hugging Face's {@code load_vocab}.
     */
    public static Vocabulary read(Path vocabTxt) throws IOException {
        Map<String, Integer> map = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(vocabTxt, StandardCharsets.UTF_8)) {
            String line;
            int id = 0;
            while ((line = r.readLine()) != null) {
                map.put(line, id++);
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(vocabTxt + " is not valid UTF-8", e);
        }
        if (map.isEmpty()) {
            throw new IOException(vocabTxt + " is empty: a vocab.txt has one token per line");
        }
        return of(map);
    }

    /** Writes {@code vocab.txt}: one token per line in id order. The ids must be contiguous from 0. */
    public void write(Path vocabTxt) throws IOException {
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null) {
                throw new IllegalStateException("id " + id + " has no token; vocab.txt needs contiguous ids");
            }
            if (tokens[id].indexOf('\n') >= 0 || tokens[id].indexOf('\r') >= 0) {
                throw new IllegalStateException("token " + id + " contains a line break and cannot be written to vocab.txt");
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(vocabTxt, StandardCharsets.UTF_8)) {
            for (String token : tokens) {
                w.write(token);
                w.write('\n');
            }
        }
    }

    /** The id of a token, or -1 if the vocabulary does not contain it. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    public boolean contains(String token) {
        return ids.containsKey(token);
    }

    /** The token of an id; throws for ids outside the vocabulary. */
    public String token(int id) {
        String t = id >= 0 && id < tokens.length ? tokens[id] : null;
        if (t == null) {
            throw new IllegalArgumentException("id " + id + " is not in the vocabulary (size " + size() + ")");
        }
        return t;
    }

    /** Whether {@code id} names a token. */
    public boolean contains(int id) {
        return id >= 0 && id < tokens.length && tokens[id] != null;
    }

    /** The number of ids: one more than the largest id (the embedding matrix's row count). */
    public int size() {
        return tokens.length;
    }

    /** Token to id, unmodifiable. */
    public Map<String, Integer> asMap() {
        return ids;
    }

    public int clsId() {
        return clsId;
    }

    public int sepId() {
        return sepId;
    }

    public int maskId() {
        return maskId;
    }

    public int padId() {
        return padId;
    }

    public int unkId() {
        return unkId;
    }

    /** Token strings by id; shared, not copied (callers in this package must not modify it). */
    String[] tokensById() {
        return tokens;
    }
}
