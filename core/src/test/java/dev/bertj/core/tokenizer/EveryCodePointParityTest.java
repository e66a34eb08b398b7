package dev.bertj.core.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Unicode scalar value through our normalizer and pre-tokenizer and through HF's, compared exactly.
 *
 * <p>With the BERT vocabulary most characters would just be {@code [UNK]}, hiding what normalization made of them.
 * So both sides get a vocabulary holding every character, word-initial and as a {@code ##} continuation: each
 * normalized character then becomes a token of its own, and the tokens, word ids and offsets show exactly which
 * characters were removed, split off, decomposed, stripped or lowercased. This is what pins our Unicode tables to the
 * reference's (Unicode 8.0 categories, older decompositions, newer lowercase mappings) on any JDK.
 */
class EveryCodePointParityTest {

    @TempDir
    Path dir;

    @Test
    void uncased() throws IOException {
        check("uncased", n -> {
        });
    }

    @Test
    void cased() throws IOException {
        check("cased", n -> {
            n.put("lowercase", false);
            n.put("strip_accents", false);
        });
    }

    private void check(String name, java.util.function.Consumer<ObjectNode> normalizer) throws IOException {
        long t0 = System.nanoTime();
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            String c = new String(Character.toChars(cp));
            tokens.add(c);
            tokens.add("##" + c);
        }
        Vocabulary vocabulary = Vocabulary.of(tokens);

        // The reference: the BERT tokenizer.json with this vocabulary (written directly: a 40 MB JSON tree is slow).
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root;
        try (InputStream in = getClass().getResourceAsStream(HfReference.TOKENIZER_RESOURCE)) {
            root = (ObjectNode) mapper.readTree(in);
        }
        normalizer.accept((ObjectNode) root.get("normalizer"));
        ((ObjectNode) root.get("model")).put("vocab", "VOCAB");
        for (var t : root.get("added_tokens")) {
            ((ObjectNode) t).put("id", vocabulary.id(t.get("content").asText()));
        }
        ObjectNode specials = (ObjectNode) root.get("post_processor").get("special_tokens");
        for (String s : List.of("[CLS]", "[SEP]")) {
            ((ArrayNode) specials.get(s).get("ids")).removeAll().add(vocabulary.id(s));
        }
        String[] around = mapper.writeValueAsString(root).split("\"VOCAB\"");
        StringBuilder json = new StringBuilder(48 << 20).append(around[0]).append('{');
        for (int id = 0; id < tokens.size(); id++) {
            json.append(id == 0 ? "\"" : ",\"");
            String token = tokens.get(id);
            for (int k = 0; k < token.length(); k++) {
                char c = token.charAt(k);
                if (c == '"' || c == '\\') {
                    json.append('\\').append(c);
                } else if (c < 0x20) {
                    json.append(String.format("\\u%04x", (int) c));
                } else {
                    json.append(c);
                }
            }
            json.append("\":").append(id);
        }
        json.append('}').append(around[1]);
        Path path = dir.resolve(name + ".json");
        Files.writeString(path, json);
        json = null;
        TokenizerOptions options = WordPieceTokenizer.fromTokenizerJson(writeSmall(mapper, root, name)).options();
        WordPieceTokenizer ours = WordPieceTokenizer.of(vocabulary, options);
        long t1 = System.nanoTime();
        try (HfReference ref = HfReference.of(path)) {
            // Characters separated by spaces, so each is a word (or nothing) of its own.
            List<String> texts = new ArrayList<>();
            StringBuilder sb = new StringBuilder();
            for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
                if (cp >= 0xD800 && cp <= 0xDFFF) {
                    continue;
                }
                sb.appendCodePoint(cp).append(' ');
                if (sb.length() >= 8000) {
                    texts.add(sb.toString());
                    sb.setLength(0);
                }
            }
            texts.add(sb.toString());
            sb.setLength(0);
            // Every combining mark inside a run of marks of other classes, some kept by accent stripping (Adlam),
            // some stripped: canonical reordering moves characters while spans stay in place.
            for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
                int type = Character.getType(cp);
                boolean mark = type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                        || type == Character.ENCLOSING_MARK;
                if (!mark && UnicodeTables.combiningClass(cp) == 0) {
                    continue;
                }
                sb.append('a').appendCodePoint(cp).append("\u0334\u0316\uD83A\uDD44\uD83A\uDD4A")
                        .appendCodePoint(cp).append("\u0301\u200B").appendCodePoint(cp).append(' ');
                if (sb.length() >= 8000) {
                    texts.add(sb.toString());
                    sb.setLength(0);
                }
            }
            texts.add(sb.toString());
            EncodeOptions plain = EncodeOptions.DEFAULT.withAddSpecialTokens(false);
            List<ai.djl.huggingface.tokenizers.Encoding> expected = ref.encodeBatch(texts, plain);
            long t2 = System.nanoTime();
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i);
                HfReference.assertSame(name + " text " + i + " from U+" + Integer.toHexString(text.codePointAt(0)),
                        ours.encode(text, null, plain), expected.get(i), text, null);
            }
            System.out.printf("%s: setup %.1f s, reference %.1f s, compare %.1f s%n", name, (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
        }
    }

    /** The same tokenizer.json with the original (small) vocabulary: to read the normalizer options as we parse them. */
    private Path writeSmall(ObjectMapper mapper, ObjectNode edited, String name) throws IOException {
        ObjectNode copy = edited.deepCopy();
        try (InputStream in = getClass().getResourceAsStream(HfReference.TOKENIZER_RESOURCE)) {
            ObjectNode original = (ObjectNode) mapper.readTree(in);
            copy.set("model", original.get("model"));
            copy.set("added_tokens", original.get("added_tokens"));
            copy.set("post_processor", original.get("post_processor"));
        }
        Path path = dir.resolve(name + "-small.json");
        mapper.writeValue(path.toFile(), copy);
        return path;
    }
}
