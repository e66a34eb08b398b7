package dev.bertj.app.cli;

import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score a model's head on labelled data with the task's metric; prints the metrics as JSON.")
public class EvalCommand implements Callable<Integer> {

    @Option(names = "--head", required = true)
    String head;

    @Option(names = "--model", required = true, description = "A model directory or a well-known name.")
    String model;

    @Option(names = "--data", required = true, description = "Labelled data in the head's format.")
    Path data;

    @Option(names = "--predictions", description = "Also write the predictions here (format defined by the head).")
    Path predictions;

    @Option(names = "--max-examples", defaultValue = "0")
    int maxExamples;

    @Option(names = {"-o", "--option"}, description = "Head option key=value.")
    Map<String, String> headOptions;

    @Override
    public Integer call() throws Exception {
        Map<String, String> options = new HashMap<>(headOptions == null ? Map.of() : headOptions);
        if (predictions != null) {
            options.put("predictions", predictions.toString());
        }
        HeadHost host = HeadLines.openModel(model);
        long start = System.nanoTime();
        Map<String, Double> metrics = new java.util.LinkedHashMap<>(FineTuning.evaluate(host, head, data, options, maxExamples));
        metrics.put("seconds", (System.nanoTime() - start) / 1e9);
        System.out.println(HeadLines.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metrics));
        return 0;
    }
}
