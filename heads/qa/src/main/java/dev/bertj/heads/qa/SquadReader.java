package dev.bertj.heads.qa;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bertj.core.head.HeadFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SQuAD-format JSON (v1.1 and v2.0): {@code data[].paragraphs[].context} and
 * {@code data[].paragraphs[].qas[].{id, question, answers[].{text, answer_start}, is_impossible}}.
 */
public final class SquadReader {

    private SquadReader() {
    }

    /** Every question of the file, in file order; paragraphs keep their identity so that contexts are shared. */
    public static List<SquadExample> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        JsonNode root;
        try {
            root = HeadFiles.json().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode data = root.path("data");
        if (!data.isArray()) {
            throw new IllegalArgumentException(file + ": not a SQuAD file (no top-level \"data\" array)");
        }
        List<SquadExample> out = new ArrayList<>();
        for (int a = 0; a < data.size(); a++) {
            JsonNode paragraphs = data.get(a).path("paragraphs");
            for (int p = 0; p < paragraphs.size(); p++) {
                JsonNode paragraph = paragraphs.get(p);
                String where = file + ": data[" + a + "].paragraphs[" + p + "]";
                String context = text(paragraph, "context", where);
                JsonNode qas = paragraph.path("qas");
                for (int q = 0; q < qas.size(); q++) {
                    out.add(question(qas.get(q), context, where + ".qas[" + q + "]"));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no questions");
        }
        return out;
    }

    private static SquadExample question(JsonNode qa, String context, String where) {
        String id = text(qa, "id", where);
        String question = text(qa, "question", where);
        boolean impossible = qa.path("is_impossible").asBoolean(false);
        List<SquadExample.GoldAnswer> answers = new ArrayList<>();
        JsonNode list = qa.path("answers");
        for (int i = 0; i < list.size(); i++) {
            JsonNode a = list.get(i);
            String text = text(a, "text", where + ".answers[" + i + "]");
            JsonNode start = a.get("answer_start");
            if (start == null || !start.canConvertToInt()) {
                throw new IllegalArgumentException(where + ".answers[" + i + "]: missing integer \"answer_start\"");
            }
            answers.add(new SquadExample.GoldAnswer(text, start.asInt()));
        }
        if (answers.isEmpty() && !impossible) {
            throw new IllegalArgumentException(where + " (id " + id + "): no answers and not marked is_impossible");
        }
        return new SquadExample(id, question, context, answers, impossible);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": missing text field \"" + field + "\"");
        }
        return v.asText();
    }
}
