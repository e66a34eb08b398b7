package dev.bertj.app.cli;

import dev.bertj.core.head.HeadHost;
import dev.bertj.core.head.TaskHead;
import dev.bertj.heads.mlm.FillMaskAnswer;
import dev.bertj.heads.mlm.FillMaskRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "fill-mask", mixinStandardHelpOptions = true,
        description = "Fill the [MASK] tokens of each stdin line; one JSON answer per line in Hugging Face's fill-mask shape.")
public class FillMaskCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A model directory or a well-known name (bert-base-uncased).")
    String model;

    @Option(names = "--top-k", defaultValue = "5", description = "Candidates per mask (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--targets", split = ",", description = "Only score these words (comma-separated).")
    List<String> targets;

    @Override
    public Integer call() throws Exception {
        if (topK < 1 || topK > FillMaskRequest.MAX_TOP_K) {
            throw new IllegalArgumentException("--top-k must be between 1 and " + FillMaskRequest.MAX_TOP_K);
        }
        HeadHost host = CliModels.open(model, 42);
        TaskHead<FillMaskRequest, FillMaskAnswer, ?> head = host.head("mlm");
        return JsonLines.run(line -> head.predict(new FillMaskRequest(line, topK, targets)));
    }
}
