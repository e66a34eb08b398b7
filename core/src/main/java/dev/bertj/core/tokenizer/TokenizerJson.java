package dev.bertj.core.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Hugging Face's {@code tokenizer.json} for BERT-style tokenizers: a WordPiece model, a BertNormalizer, the
 * BertPreTokenizer, a BERT template ({@code TemplateProcessing} or {@code BertProcessing}) and added tokens. Anything
 * this tokenizer would not reproduce exactly is rejected with a message naming the field, rather than approximated.
 * The file's own {@code truncation} and {@code padding} settings are ignored: those come from {@link EncodeOptions}.
 */
final class TokenizerJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerJson() {
    }

    /** The normalizer switches a {@code tokenizer_config.json} may set; null fields are absent. */
    record ConfigOverrides(Boolean doLowerCase, Boolean stripAccents, boolean stripAccentsPresent,
                           Boolean tokenizeChineseChars) {

        static final ConfigOverrides NONE = new ConfigOverrides(null, null, false, null);

        TokenizerOptions applyTo(TokenizerOptions o) {
            TokenizerOptions r = o;
            if (doLowerCase != null) {
                r = r.withLowercase(doLowerCase);
            }
            if (stripAccentsPresent) {
                r = r.withStripAccents(stripAccents);
            }
            if (tokenizeChineseChars != null) {
                r = r.withTokenizeChineseChars(tokenizeChineseChars);
            }
            return r;
        }
    }

    static ConfigOverrides readConfig(Path tokenizerConfig) throws IOException {
        if (!Files.isRegularFile(tokenizerConfig)) {
            return ConfigOverrides.NONE;
        }
        JsonNode root = parse(tokenizerConfig);
        return new ConfigOverrides(optionalBoolean(root, "do_lower_case", tokenizerConfig),
                optionalBoolean(root, "strip_accents", tokenizerConfig), root.has("strip_accents"),
                optionalBoolean(root, "tokenize_chinese_chars", tokenizerConfig));
    }

    static WordPieceTokenizer read(Path path, ConfigOverrides overrides) throws IOException {
        JsonNode root = parse(path);
        JsonNode model = required(root, "model", path);
        String modelType = model.path("type").asText("WordPiece");
        if (!modelType.equals("WordPiece")) {
            throw new IOException(path + ": model.type is " + modelType + "; only WordPiece models are supported");
        }
        JsonNode vocabNode = required(model, "vocab", path);
        if (!vocabNode.isObject()) {
            throw new IOException(path + ": model.vocab must be an object of token -> id");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt() || e.getValue().asInt() < 0) {
                throw new IOException(path + ": model.vocab['" + e.getKey() + "'] is not a token id");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        String unk = model.path("unk_token").asText(Vocabulary.UNK);
        String prefix = model.path("continuing_subword_prefix").asText("##");
        int maxChars = model.path("max_input_chars_per_word").asInt(TokenizerOptions.DEFAULT_MAX_INPUT_CHARS_PER_WORD);

        TokenizerOptions options = normalizerOptions(root.path("normalizer"), maxChars, path);
        if (overrides != null) {
            options = overrides.applyTo(options);
        }
        JsonNode pre = root.path("pre_tokenizer");
        if (!pre.path("type").asText("").equals("BertPreTokenizer")) {
            throw new IOException(path + ": pre_tokenizer must be BertPreTokenizer, found " + pre);
        }

        List<AddedTokens.Token> added = new ArrayList<>();
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText();
            int id = t.path("id").asInt(-1);
            for (String flag : List.of("single_word", "lstrip", "rstrip")) {
                if (t.path(flag).asBoolean(false)) {
                    throw new IOException(path + ": added token '" + content + "' sets " + flag
                            + ", which this tokenizer does not implement");
                }
            }
            if (t.path("normalized").asBoolean(false)) {
                throw new IOException(path + ": added token '" + content + "' is matched after normalization "
                        + "(normalized: true), which this tokenizer does not implement");
            }
            if (id < 0 || content.isEmpty()) {
                throw new IOException(path + ": added token " + t + " needs a content and an id");
            }
            Integer existing = vocab.get(content);
            if (existing != null && existing != id) {
                throw new IOException(path + ": added token '" + content + "' has id " + id + " but the vocabulary "
                        + "says " + existing);
            }
            vocab.put(content, id);
            added.add(new AddedTokens.Token(content, id, t.path("special").asBoolean(false)));
        }

        String[] clsSep = template(root.path("post_processor"), vocab, path);
        JsonNode decoder = root.path("decoder");
        boolean cleanup = decoder.path("cleanup").asBoolean(true);
        String pad = root.path("padding").path("pad_token").asText(Vocabulary.PAD);
        Vocabulary vocabulary = new Vocabulary(vocab, clsSep[0], clsSep[1], Vocabulary.MASK, pad, unk);
        return new WordPieceTokenizer(vocabulary, options, added, unk, prefix, clsSep[0], clsSep[1], cleanup);
    }

    private static TokenizerOptions normalizerOptions(JsonNode n, int maxChars, Path path) throws IOException {
        if (n.isMissingNode() || n.isNull()) {
            throw new IOException(path + ": no normalizer; BERT tokenizers use BertNormalizer");
        }
        if (!n.path("type").asText("").equals("BertNormalizer")) {
            throw new IOException(path + ": normalizer must be BertNormalizer, found " + n.path("type").asText());
        }
        JsonNode strip = n.path("strip_accents");
        Boolean stripAccents = strip.isBoolean() ? strip.asBoolean() : null;
        return new TokenizerOptions(n.path("lowercase").asBoolean(true), stripAccents,
                n.path("handle_chinese_chars").asBoolean(true), n.path("clean_text").asBoolean(true), maxChars);
    }

    /** The [CLS] and [SEP] token strings of a BERT template; other templates are rejected. */
    private static String[] template(JsonNode p, Map<String, Integer> vocab, Path path) throws IOException {
        String type = p.path("type").asText("");
        String cls;
        String sep;
        if (type.equals("BertProcessing")) {
            cls = p.path("cls").path(0).asText();
            sep = p.path("sep").path(0).asText();
        } else if (type.equals("TemplateProcessing")) {
            String single = pieces(p.path("single"));
            String pair = pieces(p.path("pair"));
            String[] s = single.split(" ");
            if (s.length != 3 || !s[1].equals("$A:0") || !s[0].endsWith(":0") || !s[2].endsWith(":0")) {
                throw new IOException(path + ": post_processor.single is '" + single + "', not BERT's [CLS] $A [SEP]");
            }
            cls = s[0].substring(0, s[0].length() - 2);
            sep = s[2].substring(0, s[2].length() - 2);
            String expectedPair = cls + ":0 $A:0 " + sep + ":0 $B:1 " + sep + ":1";
            if (!pair.equals(expectedPair)) {
                throw new IOException(path + ": post_processor.pair is '" + pair + "', not BERT's " + expectedPair);
            }
            for (String special : List.of(cls, sep)) {
                JsonNode ids = p.path("special_tokens").path(special).path("ids");
                if (ids.size() != 1 || !vocab.containsKey(special) || vocab.get(special) != ids.path(0).asInt()) {
                    throw new IOException(path + ": special token " + special + " must map to its vocabulary id");
                }
            }
        } else {
            throw new IOException(path + ": post_processor must be BERT's template, found '" + type + "'");
        }
        if (!vocab.containsKey(cls) || !vocab.containsKey(sep)) {
            throw new IOException(path + ": the template's tokens " + cls + " and " + sep + " must be in the vocabulary");
        }
        return new String[] {cls, sep};
    }

    /** A template as text: {@code "[CLS]:0 $A:0 [SEP]:0"}. */
    private static String pieces(JsonNode template) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode piece : template) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (piece.has("SpecialToken")) {
                JsonNode s = piece.get("SpecialToken");
                sb.append(s.path("id").asText()).append(':').append(s.path("type_id").asInt());
            } else {
                JsonNode s = piece.path("Sequence");
                sb.append('$').append(s.path("id").asText()).append(':').append(s.path("type_id").asInt());
            }
        }
        return sb.toString();
    }

    private static JsonNode parse(Path path) throws IOException {
        try (var reader = Files.newBufferedReader(path, java.nio.charset.StandardCharsets.UTF_8)) {
            return JSON.readTree(reader);
        } catch (JsonProcessingException e) {
            throw new IOException(path + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field, Path path) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IOException(path + ": missing '" + field + "'");
        }
        return v;
    }

    private static Boolean optionalBoolean(JsonNode root, String field, Path path) throws IOException {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new IOException(path + ": '" + field + "' must be true or false, found " + v);
        }
        return v.asBoolean();
    }
}
