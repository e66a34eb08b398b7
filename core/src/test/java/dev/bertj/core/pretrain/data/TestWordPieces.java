package dev.bertj.core.pretrain.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The bert-base-uncased vocabulary (from the {@code tokenizer.json} in the all-MiniLM-L6-v2 test dependency) with
 * a plain uncased BERT tokenization (lower case, strip accents, split on whitespace and punctuation, greedy
 * longest-match WordPiece), enough to feed the data generator in its tests.
 */
final class TestWordPieces implements WordPieceIds {

    private static TestWordPieces bertBaseUncased;

    private final Map<String, Integer> ids;
    private final String[] tokens;

    private TestWordPieces(Map<String, Integer> ids) {
        this.ids = ids;
        this.tokens = new String[ids.size()];
        ids.forEach((t, id) -> tokens[id] = t);
    }

    static synchronized TestWordPieces bertBaseUncased() {
        if (bertBaseUncased == null) {
            try (InputStream in = TestWordPieces.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
                JsonNode vocab = new ObjectMapper().readTree(in).path("model").path("vocab");
                Map<String, Integer> ids = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    ids.put(e.getKey(), e.getValue().asInt());
                }
                bertBaseUncased = new TestWordPieces(ids);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bertBaseUncased;
    }

    int id(String token) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("not in vocab: " + token);
        }
        return id;
    }

    String token(int id) {
        return tokens[id];
    }

    @Override
    public int[] encode(String line) {
        List<Integer> out = new ArrayList<>();
        String text = Normalizer.normalize(line.toLowerCase(java.util.Locale.ROOT), Normalizer.Form.NFD)
                .replaceAll("\\p{Mn}", "");
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                flush(word, out);
            } else if (isPunctuation(c)) {
                flush(word, out);
                word.append(c);
                flush(word, out);
            } else {
                word.append(c);
            }
        }
        flush(word, out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private void flush(StringBuilder word, List<Integer> out) {
        if (word.length() == 0) {
            return;
        }
        String w = word.toString();
        word.setLength(0);
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < w.length()) {
            int end = w.length();
            Integer found = null;
            while (start < end) {
                String piece = (start > 0 ? "##" : "") + w.substring(start, end);
                found = ids.get(piece);
                if (found != null) {
                    break;
                }
                end--;
            }
            if (found == null) {
                out.add(unkId());
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces);
    }

    private static boolean isPunctuation(char c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    int unkId() {
        return id("[UNK]");
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int clsId() {
        return id("[CLS]");
    }

    @Override
    public int sepId() {
        return id("[SEP]");
    }

    @Override
    public int maskId() {
        return id("[MASK]");
    }

    @Override
    public int padId() {
        return id("[PAD]");
    }

    @Override
    public boolean isContinuation(int id) {
        return tokens[id].startsWith("##");
    }
}
