package dev.bertj.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.engine.CpuSetup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * BERT-base pre-training steps against PyTorch through DJL ({@link TrainingBenchmark}), where bertj's step time goes,
 * the tiny model's steps/s, and the loss curves of the training runs published under benchmarks/results/.
 */
final class TrainingSection {

    private TrainingSection() {
    }

    static void run(SuiteContext ctx) throws Exception {
        CpuSetup.ensure();
        int warmup = ctx.quick ? 1 : 2;
        int rounds = ctx.quick ? 2 : 5;
        int perRound = ctx.quick ? 1 : 2;
        TrainingBenchmark.Shapes s = TrainingBenchmark.base();
        StringBuilder log = new StringBuilder();
        TrainingBenchmark.Comparison c = TrainingBenchmark.compare(log, s, warmup, rounds, perRound);
        double ours = c.median("bertj");
        double theirs = c.median("pytorch");
        double gflop = s.flopsPerStep() / 1e9;
        ctx.paraf("One BERT-base pre-training step (masked LM with 20 masked positions per sequence + next sentence, "
                + "AdamW, gradient clipping at 1.0) at **batch %d x seq %d**, %.0f GFLOP per step (ENGINE-NOTES.md's "
                + "convention), random initialisation and random ids. Peer: PyTorch 2.7.1 through DJL 0.36.0, "
                + "`BertPretrainingBlock` + `BertPretrainingLoss` + Adam, num_threads %d / interop 1 (DJL's `BertBlock` "
                + "has BERT's FLOPs but not exactly its function: a speed peer). bertj: %d threads. %d warm-up steps "
                + "each, then %d rounds of %d steps of one then the other (order alternating); medians. MFU against "
                + "the GEMM peak measured in this process before the steps (%.0f GFLOP/s, [2048x2048]^2) and against "
                + "the %.0f GFLOP/s FMA peak of ENGINE-NOTES.md.", s.batch(), s.seqLen(), gflop, BenchSuite.THREADS,
                BenchSuite.THREADS, warmup, rounds, perRound, c.gemmPeak(), TrainingBenchmark.FMA_PEAK_GFLOPS);
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<Double>> e : c.seconds().entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            double med = Stats.median(v);
            double g = gflop / med;
            rows.add(List.of(e.getKey(), f(3, med), f(3, Stats.min(v)), f(3, Stats.max(v)), f(0, s.tokens() / med),
                    f(0, g), f(1, 100 * g / c.gemmPeak()) + "%", f(1, 100 * g / TrainingBenchmark.FMA_PEAK_GFLOPS) + "%"));
        }
        ctx.para(Report.table(List.of("contender", "median s/step", "min", "max", "tokens/s", "GFLOP/s", "MFU (GEMM peak)",
                "MFU (FMA peak)"), rows));
        ctx.paraf("bertj %.0f tokens/s vs PyTorch %.0f tokens/s: **%s** (issue 4's bar: >= 1.3x). CPU time per step "
                + "(the whole process, all threads; steadier than the wall clock on a shared machine): bertj %.1f s, "
                + "PyTorch %.1f s, so per CPU-second bertj trains **%s** PyTorch's tokens.", s.tokens() / ours,
                s.tokens() / theirs, Report.ratio(theirs, ours), c.medianCpu("bertj"), c.medianCpu("pytorch"),
                Report.ratio(c.medianCpu("pytorch"), c.medianCpu("bertj")));
        ctx.summary("BERT-base pre-training step, batch 8 x 128, tokens/s (" + BenchSuite.THREADS + " threads each)",
                f(0, s.tokens() / ours) + " (MFU " + f(1, 100 * gflop / ours / TrainingBenchmark.FMA_PEAK_GFLOPS) + "%)",
                "PyTorch 2.7.1 (DJL): " + f(0, s.tokens() / theirs) + " (MFU "
                        + f(1, 100 * gflop / theirs / TrainingBenchmark.FMA_PEAK_GFLOPS) + "%)", Report.ratio(theirs, ours));
        ctx.summary("BERT-base pre-training step, batch 8 x 128, CPU seconds per step (all threads)",
                f(1, c.medianCpu("bertj")), "PyTorch 2.7.1 (DJL): " + f(1, c.medianCpu("pytorch")),
                Report.ratio(c.medianCpu("pytorch"), c.medianCpu("bertj")) + " (tokens per CPU-second)");

        if (ctx.quick) {
            ctx.para("Where bertj's step time goes (forward / backward / optimizer): measured in the full run only "
                    + "(`./bert bench`), to keep `--quick` short.");
        } else {
            StringBuilder parts = new StringBuilder();
            TrainingBenchmark.breakdown(parts, s, 1, 4);
            ctx.para("Where bertj's step goes (BERT-base, batch 8 x 128; each part timed on its own, medians of 4 "
                    + "steps; the encoder's forward is also run once separately to time it):\n\n" + parts);
        }

        StringBuilder tinyLog = new StringBuilder();
        double tiny = TrainingBenchmark.tiny(tinyLog, 3, ctx.quick ? 10 : 30);
        ctx.para("Tiny model (the pre-training run's config: 2 layers, hidden 128, vocab 8,000), batch 32 x 128: "
                + tinyLog.toString().strip());
        ctx.summary("tiny model pre-training, batch 32 x 128, steps/s", f(2, tiny), "-", "-");
        lossCurves(ctx);
    }

    /** Plots every metrics.jsonl under benchmarks/results/ (training runs write one) as loss vs step. */
    static void lossCurves(SuiteContext ctx) throws IOException {
        Path results = ctx.repo.resolve("benchmarks/results");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(results, 3)) {
            files = walk.filter(p -> p.getFileName().toString().equals("metrics.jsonl"))
                    .filter(p -> !p.startsWith(ctx.out)).sorted().toList();
        }
        if (files.isEmpty()) {
            ctx.para("Loss curves: no training run has published a `metrics.jsonl` under benchmarks/results/ yet.");
            return;
        }
        ObjectMapper json = new ObjectMapper();
        for (Path f : files) {
            List<double[]> train = new ArrayList<>();
            List<double[]> eval = new ArrayList<>();
            for (String line : Files.readAllLines(f)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                if (!n.has("step") || !n.has("loss")) {
                    continue;
                }
                double[] point = {n.get("step").asDouble(), n.get("loss").asDouble()};
                ("train".equals(n.path("split").asText("train")) ? train : eval).add(point);
            }
            if (train.isEmpty() && eval.isEmpty()) {
                continue;
            }
            String run = results.relativize(f.getParent()).toString();
            Svg plot = new Svg("training loss: " + run, "step", "loss", false);
            addSeries(plot, "train", train);
            addSeries(plot, "held-out", eval);
            String file = "loss-" + run.replaceAll("[^A-Za-z0-9_-]", "_") + ".svg";
            ctx.para("Loss curve of the published run `benchmarks/results/" + run + "` (from its metrics.jsonl, "
                    + train.size() + " train points, " + eval.size() + " held-out points):");
            ctx.plot(file, plot);
        }
    }

    private static void addSeries(Svg plot, String name, List<double[]> points) {
        if (points.isEmpty()) {
            return;
        }
        plot.add(name, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray());
    }

    static String f(int decimals, double v) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
