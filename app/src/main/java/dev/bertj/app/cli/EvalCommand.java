package dev.bertj.app.cli;

import dev.bertj.core.head.EvaluationProgress;
import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
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
        Map<String, Double> metrics = new java.util.LinkedHashMap<>(FineTuning.evaluate(host, head, data, options,
                maxExamples, progressLines(System.err, start)));
        metrics.put("seconds", (System.nanoTime() - start) / 1e9);
        System.out.println(HeadLines.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metrics));
        return 0;
    }

    /**
     * Progress on stderr (stdout carries only the JSON): a line when at least five seconds have passed since the
     * last one, and at the end.
     */
    static EvaluationProgress progressLines(PrintStream err, long startNanos) {
        long[] lastPrint = {startNanos};
        return (done, total, unit) -> {
            long now = System.nanoTime();
            if (done < total && now - lastPrint[0] < 5_000_000_000L) {
                return;
            }
            lastPrint[0] = now;
            err.println(progressLine(done, total, unit, (now - startNanos) / 1e9));
        };
    }

    static String progressLine(int done, int total, String unit, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 && done < total ? " | ETA " + clock((total - done) / rate) : "";
        return String.format(Locale.ROOT, "eval: %,d/%,d %s (%.1f%%) | %.1f %s/s | %s elapsed%s", done, total, unit,
                total == 0 ? 100.0 : 100.0 * done / total, rate, unit, clock(seconds), eta);
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
