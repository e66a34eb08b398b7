package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./bert fill-mask}: BERT's masked-LM head on each stdin line, answers in Hugging Face's fill-mask shape. */
@Command(name = "fill-mask", mixinStandardHelpOptions = true,
        description = {"Fill the [MASK] tokens of each stdin line (the model's mlm head).",
            "stdout: one JSON line per input, Hugging Face's shape: [{\"score\",\"token\",\"token_str\",\"sequence\"}]",
            "(a list of such lists when a line has several masks). A line without [MASK] gives {\"error\": ...}."})
public class FillMaskCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A model directory or a well-known name (bert-base-uncased).")
    String model;

    @Option(names = "--top-k", defaultValue = "5", description = "Candidates per mask (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--targets", split = ",", description = "Only score these words (comma-separated).")
    List<String> targets;

    @Option(names = "--batch-size", defaultValue = "16", description = "Lines encoded together when input is waiting.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        var host = HeadLines.openModel(model);
        int failed = HeadLines.answerStdin(host.head("mlm"), line -> {
            ObjectNode r = HeadLines.JSON.createObjectNode().put("text", line).put("topK", topK);
            if (targets != null) {
                targets.forEach(r.putArray("targets")::add);
            }
            return r;
        }, batchSize);
        return failed == 0 ? 0 : 1;
    }
}
