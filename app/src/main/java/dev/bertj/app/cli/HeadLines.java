package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.head.TaskHead;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the head commands ({@code ./bert qa}, {@code ./bert classify}) share: opening a model directory with its
 * heads, and answering stdin line by line with one JSON result per non-blank input line, in input order. Lines are
 * batched while more input is already waiting (up to a batch size), so piped files go through the encoder in
 * batches and interactive use answers each line at once. A line that cannot be answered gives
 * {@code {"error": "..."}} in its place; the others are still answered.
 *
 * <p>The app knows no head classes: requests are built as JSON and converted to the head's declared request type.
 */
final class HeadLines {

    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    /** Turns one input line into the head's request JSON. */
    @FunctionalInterface
    interface RequestReader {
        ObjectNode read(String line) throws IOException;
    }

    private HeadLines() {
    }

    /**
     * Opens a model directory or a well-known name (converted once into the local model cache) with the head
     * factories visible through {@link java.util.ServiceLoader} on this class path: the built-in head jars are
     * dependencies of the app, and a drop-in jar joins the class path through the service's plugin runtime.
     */
    static HeadHost openModel(String nameOrDir) {
        return dev.bertj.core.service.Bertj.load(nameOrDir).heads();
    }

    static HeadHost openModel(Path dir) {
        return openModel(dir.toString());
    }

    /** Answers stdin line by line on stdout (UTF-8; malformed input bytes become U+FFFD). */
    static int answerStdin(TaskHead<?, ?, ?> head, RequestReader reader, int batchSize) throws IOException {
        BufferedReader in = new BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out, false, java.nio.charset.StandardCharsets.UTF_8);
        return answer(head, in, out, reader, Math.max(1, batchSize));
    }

    /** Answers every non-blank line of {@code in}; returns how many lines failed. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int answer(TaskHead<?, ?, ?> head, BufferedReader in, PrintWriter out, RequestReader reader, int batchSize)
            throws IOException {
        TaskHead raw = head;
        Class<?> requestType = head.descriptor().requestType();
        List<String> pending = new ArrayList<>();
        int failed = 0;
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            pending.add(line);
            if (pending.size() >= batchSize || !in.ready()) {
                failed += flush(raw, requestType, pending, out, reader);
            }
        }
        failed += flush(raw, requestType, pending, out, reader);
        return failed;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int flush(TaskHead head, Class<?> requestType, List<String> lines, PrintWriter out,
                             RequestReader reader) throws IOException {
        if (lines.isEmpty()) {
            return 0;
        }
        Object[] results = new Object[lines.size()];
        List<Object> requests = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            try {
                requests.add(JSON.convertValue(reader.read(lines.get(i)), requestType));
                positions.add(i);
            } catch (IOException | IllegalArgumentException e) {
                results[i] = error(e);
            }
        }
        if (!requests.isEmpty()) {
            try {
                List<Object> answers = head.predictBatch(requests);
                for (int k = 0; k < answers.size(); k++) {
                    results[positions.get(k)] = answers.get(k);
                }
            } catch (IllegalArgumentException batchFailed) {
                // One bad request fails the batch: answer one by one to find it and keep the others.
                for (int k = 0; k < requests.size(); k++) {
                    try {
                        results[positions.get(k)] = head.predict(requests.get(k));
                    } catch (IllegalArgumentException e) {
                        results[positions.get(k)] = error(e);
                    }
                }
            }
        }
        int failed = 0;
        for (Object r : results) {
            failed += r instanceof ErrorLine ? 1 : 0;
            out.println(JSON.writeValueAsString(r));
        }
        out.flush();
        lines.clear();
        return failed;
    }

    /** The result line of an input that could not be answered. */
    record ErrorLine(String error) {
    }

    private static ErrorLine error(Exception e) {
        // Jackson wraps a request constructor's IllegalArgumentException: report the innermost one, the reason.
        Throwable reason = e;
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof IllegalArgumentException) {
                reason = t;
            }
        }
        String m = reason.getMessage();
        return new ErrorLine(m == null || m.isBlank() ? reason.getClass().getSimpleName() : m.lines().findFirst().orElse(m));
    }

}
