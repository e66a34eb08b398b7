package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.head.HeadHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code ./bert qa --model DIR}: extractive question answering with the model's {@code qa} head. Reads JSON lines
 * {@code {"question": ..., "context": ...}} (optionally {@code top_k}, {@code max_answer_len},
 * {@code handle_impossible_answer}, {@code null_threshold}) and writes one line per question in Hugging Face's
 * pipeline shape, {@code {"score", "start", "end", "answer"}} (a list with top_k > 1); start and end are character
 * offsets into the context.
 */
@Command(name = "qa", mixinStandardHelpOptions = true,
        description = {"Answer questions about a context (extractive QA with the model's qa head).",
            "stdin: one JSON object per line, {\"question\": \"...\", \"context\": \"...\"};",
            "stdout: one JSON answer per line, {\"score\", \"start\", \"end\", \"answer\"} (character offsets).",
            "Long contexts are read in overlapping windows (max_windows in the head's head.json bounds the work).",
            "A line that cannot be answered gives {\"error\": \"...\"}; the exit code is then 1."})
public class QaCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "NAME|DIR", required = true,
            description = "model directory with a fine-tuned qa head (heads/qa/) or a SQuAD checkpoint,"
                    + " or a known model name")
    String model;

    @Option(names = "--top-k", paramLabel = "K", description = "answers per question, unless a line sets top_k")
    Integer topK;

    @Option(names = "--handle-impossible-answer",
            description = "let \"no answer\" (empty string, start = end = 0) compete, unless a line says otherwise")
    boolean handleImpossibleAnswer;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16",
            description = "questions answered together when input is waiting (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws IOException {
        HeadHost host = HeadLines.openModel(model);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        int failed = HeadLines.answer(host.head("qa"), in, out, this::request, Math.max(1, batchSize));
        return failed == 0 ? 0 : 1;
    }

    ObjectNode request(String line) throws IOException {
        JsonNode node = HeadLines.JSON.readTree(line);
        if (!(node instanceof ObjectNode o)) {
            throw new IllegalArgumentException("expected a JSON object {\"question\": ..., \"context\": ...}");
        }
        if (topK != null && !o.has("top_k")) {
            o.put("top_k", topK);
        }
        if (handleImpossibleAnswer && !o.has("handle_impossible_answer")) {
            o.put("handle_impossible_answer", true);
        }
        return o;
    }
}
