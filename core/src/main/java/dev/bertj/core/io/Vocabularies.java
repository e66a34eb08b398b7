package dev.bertj.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Reads a WordPiece vocabulary from {@code vocab.txt} or a Hugging Face {@code tokenizer.json}, and writes vocab.txt. */
public final class Vocabularies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Vocabularies() {
    }

    /** A vocabulary and whether the tokenizer lower-cases (null when the source does not say). */
    public record Vocabulary(List<String> tokens, Boolean doLowerCase) {
    }

    /** One token per line, the line number being the id. */
    public static List<String> fromVocabTxt(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        List<String> tokens = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).isEmpty()) {
            tokens.remove(tokens.size() - 1);
        }
        tokens.replaceAll(t -> t.endsWith("\r") ? t.substring(0, t.length() - 1) : t);
        return tokens;
    }

    /** {@code model.vocab} of a WordPiece tokenizer.json, ordered by id; the ids must be 0..n-1. */
    public static Vocabulary fromTokenizerJson(byte[] bytes, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new CheckpointException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode model = root == null ? null : root.get("model");
        JsonNode vocab = model == null ? null : model.get("vocab");
        if (vocab == null || !vocab.isObject()) {
            throw new CheckpointException(source + ": no model.vocab object (expected a WordPiece tokenizer.json)");
        }
        String type = model.path("type").asText("WordPiece");
        if (!type.equals("WordPiece")) {
            throw new CheckpointException(source + ": tokenizer model type is " + type + ", expected WordPiece");
        }
        String[] tokens = new String[vocab.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new CheckpointException(source + ": token '" + e.getKey() + "' has id " + e.getValue()
                        + "; ids must be 0.." + (tokens.length - 1) + " without repeats");
            }
            tokens[id] = e.getKey();
        }
        JsonNode normalizer = root.path("normalizer");
        Boolean lower = normalizer.has("lowercase") ? normalizer.get("lowercase").asBoolean() : null;
        return new Vocabulary(List.of(tokens), lower);
    }

    public static void writeVocabTxt(List<String> tokens, Path file) {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            if (t.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("token with a line break cannot be written to vocab.txt: " + t);
            }
            sb.append(t).append('\n');
        }
        try {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
