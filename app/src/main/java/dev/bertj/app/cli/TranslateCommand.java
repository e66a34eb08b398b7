package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code ./bert translate --model DIR [--beams K]}: translates stdin, one source sentence per line, with the model's
 * {@code translation} head; one JSON answer per line in Hugging Face's translation-pipeline shape,
 * {@code [{"translation_text": "..."}]}.
 */
@Command(name = "translate", mixinStandardHelpOptions = true,
        description = {"Translate stdin lines with the model's translation head (fine-tune one with "
                + "./bert finetune --head translation).",
            "stdout: one JSON answer per line, [{\"translation_text\": \"...\"}].",
            "A line that cannot be translated gives {\"error\": \"...\"}; the exit code is then 1."})
public class TranslateCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "model directory with a fine-tuned translation head (heads/translation/)")
    String model;

    @Option(names = "--beams", paramLabel = "K",
            description = "beam size; 1 is greedy search (default: the head's num_beams from head.json)")
    Integer beams;

    @Option(names = "--max-length", paramLabel = "N",
            description = "longest output in target tokens plus one, as HF's max_length (default: the head's)")
    Integer maxLength;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "sentences translated together when input is waiting (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        var host = HeadLines.openModel(model);
        int failed = HeadLines.answerStdin(host.head("translation"), this::request, batchSize);
        return failed == 0 ? 0 : 1;
    }

    ObjectNode request(String line) {
        ObjectNode r = HeadLines.JSON.createObjectNode().put("inputs", line);
        if (beams != null) {
            r.put("num_beams", beams);
        }
        if (maxLength != null) {
            r.put("max_length", maxLength);
        }
        return r;
    }
}
