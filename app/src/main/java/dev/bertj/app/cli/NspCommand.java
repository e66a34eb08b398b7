package dev.bertj.app.cli;

import dev.bertj.core.head.HeadHost;
import dev.bertj.core.head.TaskHead;
import dev.bertj.heads.nsp.NextSentenceAnswer;
import dev.bertj.heads.nsp.NextSentenceRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "nsp", mixinStandardHelpOptions = true,
        description = "Next-sentence prediction for tab-separated pairs on stdin; one {\"is_next\",\"not_next\"} per line.")
public class NspCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "A model directory or a well-known name.")
    String model;

    @Override
    public Integer call() throws Exception {
        HeadHost host = CliModels.open(model, 42);
        TaskHead<NextSentenceRequest, NextSentenceAnswer, ?> head = host.head("nsp");
        return JsonLines.run(line -> {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException("expected two texts separated by a tab");
            }
            return head.predict(new NextSentenceRequest(line.substring(0, tab), line.substring(tab + 1)));
        });
    }
}
