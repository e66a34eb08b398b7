package dev.bertj.app.cli;

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
 * {@code ./bert classify --model DIR [--top-k K]}: sequence classification with the model's
 * {@code classification} head. Reads one text per line (a pair as {@code text<TAB>text_pair}) and writes one line
 * per text in Hugging Face's shape {@code [{"label", "score"}, ...]}, best first.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = {"Classify texts with the model's classification head.",
            "stdin: one text per line; a text pair as TEXT<TAB>TEXT_PAIR.",
            "stdout: one JSON line per text, [{\"label\": ..., \"score\": ...}, ...], best first.",
            "A line that cannot be answered gives {\"error\": \"...\"}; the exit code is then 1."})
public class ClassifyCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "NAME|DIR", required = true,
            description = "model directory with a fine-tuned classification head (heads/classification/),"
                    + " or a known model name")
    String model;

    @Option(names = "--top-k", paramLabel = "K",
            description = "labels per text (default: the best label; multi-label heads: the labels above threshold)")
    Integer topK;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "texts classified together when input is waiting (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws IOException {
        if (topK != null && topK < 1) {
            throw new IllegalArgumentException("--top-k must be >= 1, got " + topK);
        }
        HeadHost host = HeadLines.openModel(model);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        int failed = HeadLines.answer(host.head("classification"), in, out, this::request, Math.max(1, batchSize));
        return failed == 0 ? 0 : 1;
    }

    ObjectNode request(String line) {
        ObjectNode o = HeadLines.JSON.createObjectNode();
        int tab = line.indexOf('\t');
        if (tab < 0) {
            o.put("text", line);
        } else {
            if (line.indexOf('\t', tab + 1) >= 0) {
                throw new IllegalArgumentException("more than one tab: a pair is TEXT<TAB>TEXT_PAIR");
            }
            o.put("text", line.substring(0, tab));
            o.put("text_pair", line.substring(tab + 1));
        }
        if (topK != null) {
            o.put("top_k", topK);
        }
        return o;
    }
}
