package dev.bertj.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code ./bert nsp}: next-sentence prediction for tab-separated pairs. */
@Command(name = "nsp", mixinStandardHelpOptions = true,
        description = "Next-sentence prediction for tab-separated pairs on stdin; one {\"is_next\",\"not_next\"} per line.")
public class NspCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A model directory or a well-known name.")
    String model;

    @Option(names = "--batch-size", defaultValue = "16", description = "Pairs encoded together when input is waiting.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        var host = HeadLines.openModel(model);
        int failed = HeadLines.answerStdin(host.head("nsp"), line -> {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException("expected two texts separated by a tab");
            }
            return HeadLines.JSON.createObjectNode().put("text_a", line.substring(0, tab))
                    .put("text_b", line.substring(tab + 1));
        }, batchSize);
        return failed == 0 ? 0 : 1;
    }
}
