package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The shape shared by the line-oriented commands: read UTF-8 lines from stdin, answer each with one JSON line.
 * A line that cannot be answered gets {@code {"error": "..."}} in its place (so outputs stay aligned with inputs),
 * the reason on stderr, and the command exits 1 at the end.
 */
final class JsonLines {

    static final ObjectMapper JSON = new ObjectMapper();

    @FunctionalInterface
    interface LineHandler {
        Object answer(String line) throws Exception;
    }

    private JsonLines() {
    }

    static int run(LineHandler handler) throws IOException {
        // Malformed UTF-8 becomes U+FFFD, which the tokenizer's clean-up drops, as Hugging Face would see it.
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, decoder), 1 << 16);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        int failed = 0;
        int lineNo = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            try {
                out.println(JSON.writeValueAsString(handler.answer(line)));
            } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
                failed++;
                ObjectNode err = JSON.createObjectNode().put("error", e.getMessage());
                out.println(JSON.writeValueAsString(err));
                System.err.println("line " + lineNo + ": " + e.getMessage());
            }
            out.flush();
        }
        return failed == 0 ? 0 : 1;
    }
}
