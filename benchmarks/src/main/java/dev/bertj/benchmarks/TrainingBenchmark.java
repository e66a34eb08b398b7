package dev.bertj.benchmarks;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.transformer.BertBlock;
import ai.djl.nn.transformer.BertPretrainingBlock;
import ai.djl.nn.transformer.BertPretrainingLoss;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import dev.bertj.core.engine.CpuSetup;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.pretrain.PretrainingModel;
import dev.bertj.core.pretrain.PretrainingTask;
import dev.bertj.core.pretrain.data.PretrainingBatch;
import dev.bertj.core.pretrain.data.TrainingInstance;
import dev.bertj.core.train.AdamW;
import dev.bertj.core.train.GradientClipping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One BERT pre-training step (masked LM + next sentence, AdamW, gradient clipping), bertj against PyTorch 2.7.1
 * through DJL, in one JVM, alternating: {@code --per-round} steps of one, then of the other, for {@code --rounds}
 * rounds after warm-up; medians. Same shapes on both sides: batch 8 x seq 128, 20 masked positions per sequence,
 * BERT-base (vocab 30,522), random initialisation and random token ids.
 *
 * <p>Modes: {@code compare} (the side-by-side table), {@code rss} (bertj alone: resident memory of BERT-base
 * training, peak and current, read from /proc/self/status), {@code tiny} (bertj steps/s of the tiny config used
 * for the pre-training run: 2 layers, hidden 128, vocab 8,000, batch 32 x 128). FLOPs per step follow
 * ENGINE-NOTES.md: 6 x linear weights x tokens + 12 x layers x seq x hidden x tokens + 6 x masked x (hidden^2 +
 * hidden x vocab). MFU is against two peaks: the FMA peak of ENGINE-NOTES.md (535 GFLOP/s for both cores) and a
 * large single-precision GEMM measured in the same run.
 *
 * <p>The PyTorch side is DJL's {@code BertPretrainingBlock}: BERT's FLOPs, not exactly its function (see
 * ENGINE-NOTES.md), and its Adam (bias-corrected, no weight decay: the same cost as AdamW). Commands in
 * benchmarks/results/training.md.
 */
public final class TrainingBenchmark {

    static final double FMA_PEAK_GFLOPS = 535;

    private TrainingBenchmark() {
    }

    /** Step shapes. */
    record Shapes(BertConfig config, int batch, int seqLen, int masked) {
        long tokens() {
            return (long) batch * seqLen;
        }

        /** ENGINE-NOTES.md's training FLOP convention. */
        double flopsPerStep() {
            double h = config.hiddenSize();
            double linear = config.numHiddenLayers() * (4 * h * h + 2 * h * config.intermediateSize());
            double t = tokens();
            double attention = 12.0 * config.numHiddenLayers() * seqLen * h * t;
            double mlm = 6.0 * batch * masked * (h * h + h * config.vocabSize());
            return 6 * linear * t + attention + mlm;
        }
    }

    /** One contender: takes one optimizer step. */
    interface Stepper extends AutoCloseable {
        String name();

        void step();

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = parse(args);
        String mode = o.getOrDefault("--mode", "compare");
        int warmup = Integer.parseInt(o.getOrDefault("--warmup", "2"));
        int rounds = Integer.parseInt(o.getOrDefault("--rounds", "5"));
        int perRound = Integer.parseInt(o.getOrDefault("--per-round", "2"));
        Path out = Path.of(o.getOrDefault("--out", "benchmarks/results/training-" + mode + ".txt"));
        CpuSetup.ensure();
        StringBuilder report = new StringBuilder();
        report.append("date ").append(LocalDateTime.now()).append('\n');
        report.append("load average before ").append(loadAverage()).append('\n');
        report.append("JVM ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cpus\n");
        switch (mode) {
            case "compare" -> compare(report, "tiny".equals(o.get("--size")) ? tinyShapes(8) : base(), warmup, rounds,
                    perRound);
            case "rss" -> rss(report, Integer.parseInt(o.getOrDefault("--steps", "4")));
            case "tiny" -> tiny(report, warmup, Integer.parseInt(o.getOrDefault("--steps", "30")));
            case "breakdown" -> breakdown(report, base(), warmup, Integer.parseInt(o.getOrDefault("--steps", "4")));
            default -> throw new IllegalArgumentException("unknown --mode " + mode + " (compare, rss, tiny, breakdown)");
        }
        report.append("load average after ").append(loadAverage()).append('\n');
        System.out.print(report);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, report.toString());
    }

    static Shapes base() {
        return new Shapes(BertConfig.base(30522), 8, 128, 20);
    }

    /** The tiny config of the pre-training run (2 layers, hidden 128, 2 heads, vocab 8,000). */
    static Shapes tinyShapes(int batch) {
        return new Shapes(BertConfig.preset("tiny", 8000), batch, 128, 20);
    }

    /** The side-by-side result: seconds per step of each contender, and the GEMM peak measured before. */
    record Comparison(Shapes shapes, double gemmPeak, Map<String, List<Double>> seconds,
                      Map<String, List<Double>> cpuSeconds) {
        double median(String contender) {
            return Stats.median(seconds.get(contender));
        }

        double medianCpu(String contender) {
            return Stats.median(cpuSeconds.get(contender));
        }
    }

    static Comparison compare(StringBuilder report, Shapes s, int warmup, int rounds, int perRound) {
        double peak = measuredGemmPeak();
        report.append(String.format(Locale.ROOT, "shapes: %d layers, hidden %d, vocab %d, batch %d x seq %d, %d masked per sequence; %.1f GFLOP "
                + "per step; GEMM peak measured now %.0f GFLOP/s, FMA peak %.0f GFLOP/s%n", s.config.numHiddenLayers(),
                s.config.hiddenSize(), s.config.vocabSize(), s.batch, s.seqLen, s.masked,
                s.flopsPerStep() / 1e9, peak, FMA_PEAK_GFLOPS));
        List<Stepper> contenders = List.of(new BertjStepper(s, 42), new TorchStepper(s, 42));
        Map<String, List<Double>> times = new LinkedHashMap<>();
        // CPU seconds of the whole process per step (all threads): on a shared machine this is steadier than the
        // wall clock, and it is what a step costs whoever else runs.
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        for (Stepper c : contenders) {
            times.put(c.name(), new ArrayList<>());
            cpu.put(c.name(), new ArrayList<>());
            for (int i = 0; i < warmup; i++) {
                c.step();
            }
        }
        for (int r = 0; r < rounds; r++) {
            // Alternate which contender goes first.
            for (int k = 0; k < contenders.size(); k++) {
                Stepper c = contenders.get((r + k) % contenders.size());
                for (int i = 0; i < perRound; i++) {
                    long c0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    c.step();
                    times.get(c.name()).add((System.nanoTime() - t0) / 1e9);
                    cpu.get(c.name()).add((processCpuNanos() - c0) / 1e9);
                }
            }
            System.err.println("round " + (r + 1) + "/" + rounds + ": " + times);
        }
        report.append("| contender | median s/step | min | max | tokens/s | GFLOP/s | MFU (GEMM peak) | MFU (FMA peak) |\n");
        report.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        Map<String, Double> medians = new LinkedHashMap<>();
        for (var e : times.entrySet()) {
            List<Double> t = new ArrayList<>(e.getValue());
            t.sort(Double::compare);
            double median = t.get(t.size() / 2);
            medians.put(e.getKey(), median);
            double gflops = s.flopsPerStep() / median / 1e9;
            report.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.0f | %.0f | %.1f%% | %.1f%% |%n",
                    e.getKey(), median, t.get(0), t.get(t.size() - 1), s.tokens() / median, gflops,
                    100 * gflops / peak, 100 * gflops / FMA_PEAK_GFLOPS));
        }
        double ratio = medians.get("pytorch") / medians.get("bertj");
        report.append(String.format(Locale.ROOT, "bertj tokens/s = %.2fx PyTorch's (bar: >= 1.3x)%n", ratio));
        for (Stepper c : contenders) {
            c.close();
        }
        report.append(String.format(Locale.ROOT, "CPU seconds per step (all threads, median): bertj %.2f, pytorch %.2f: "
                + "bertj's tokens per CPU-second = %.2fx PyTorch's%n", Stats.median(cpu.get("bertj")),
                Stats.median(cpu.get("pytorch")), Stats.median(cpu.get("pytorch")) / Stats.median(cpu.get("bertj"))));
        return new Comparison(s, peak, times, cpu);
    }

    /**
     * Where bertj's step time goes: zeroing gradients, the encoder's training forward alone, the whole
     * forward + losses + backward ({@code trainStep}), clipping and AdamW, each timed separately per step; medians.
     * Backward (with the MLM/NSP heads) is trainStep minus the forward.
     */
    static Map<String, Double> breakdown(StringBuilder report, Shapes s, int warmup, int steps) {
        Map<String, List<Double>> t = new LinkedHashMap<>();
        for (String k : List.of("zero gradients", "encoder forward (training, dropout)", "trainStep (forward + heads + backward)",
                "gradient clipping", "AdamW step")) {
            t.put(k, new ArrayList<>());
        }
        try (BertjStepper b = new BertjStepper(s, 42)) {
            dev.bertj.core.model.BertModel encoder = b.model.encoder();
            dev.bertj.core.model.BertActivations act = encoder.newActivations(true);
            dev.bertj.core.model.EncoderInput input = new dev.bertj.core.model.EncoderInput(s.batch, s.seqLen,
                    b.batch.inputIds, b.batch.tokenTypeIds, b.batch.attentionMask);
            Rng rng = new Rng(9);
            for (int i = 0; i < warmup + steps; i++) {
                double[] d = new double[5];
                long t0 = System.nanoTime();
                for (dev.bertj.core.nn.Parameter p : b.task.parameters()) {
                    p.grad().assign(0);
                }
                long t1 = System.nanoTime();
                encoder.forward(input, act, rng);
                long t2 = System.nanoTime();
                b.task.trainStep(b.batch, 1f);
                long t3 = System.nanoTime();
                GradientClipping.clipByGlobalNorm(b.task.parameters(), 1.0);
                long t4 = System.nanoTime();
                b.adam.step(1e-4);
                long t5 = System.nanoTime();
                if (i >= warmup) {
                    long[] marks = {t0, t1, t2, t3, t4, t5};
                    int k = 0;
                    for (List<Double> list : t.values()) {
                        list.add((marks[k + 1] - marks[k]) / 1e9);
                        k++;
                    }
                }
            }
            act.close();
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        t.forEach((k, v) -> medians.put(k, Stats.median(v)));
        double step = medians.get("zero gradients") + medians.get("trainStep (forward + heads + backward)")
                + medians.get("gradient clipping") + medians.get("AdamW step");
        double fwd = medians.get("encoder forward (training, dropout)");
        medians.put("backward + MLM/NSP heads (trainStep - forward)", medians.get("trainStep (forward + heads + backward)") - fwd);
        medians.put("step (without the separate forward)", step);
        report.append("| part | median s | share of a step |\n|---|---:|---:|\n");
        medians.forEach((k, v) -> report.append(String.format(Locale.ROOT, "| %s | %.3f | %.0f%% |%n", k, v, 100 * v / step)));
        return medians;
    }

    static void rss(StringBuilder report, int steps) {
        Shapes s = base();
        report.append("before the model: ").append(memory()).append('\n');
        try (BertjStepper b = new BertjStepper(s, 42)) {
            report.append("model, gradients, no optimizer state yet: ").append(memory()).append('\n');
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                b.step();
                report.append(String.format(Locale.ROOT, "step %d (%.2f s): %s%n", i + 1, (System.nanoTime() - t0) / 1e9,
                        memory()));
            }
        }
    }

    /** Steps per second of the tiny config (batch 32 x 128). */
    static double tiny(StringBuilder report, int warmup, int steps) {
        Shapes s = tinyShapes(32);
        try (BertjStepper b = new BertjStepper(s, 42)) {
            for (int i = 0; i < warmup; i++) {
                b.step();
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                b.step();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            report.append(String.format(Locale.ROOT, "tiny (2 layers, hidden 128, vocab 8000), batch 32 x 128, 20 masked: "
                    + "%.2f steps/s, %.0f tokens/s, %.1f GFLOP/s over %d steps%n", steps / seconds,
                    steps * s.tokens() / seconds, steps * s.flopsPerStep() / seconds / 1e9, steps));
            return steps / seconds;
        }
    }

    /** A random batch: full-length sequences, [CLS] A [SEP] B [SEP], {@code masked} masked positions per row. */
    static PretrainingBatch batch(Shapes s, long seed) {
        Rng rng = new Rng(seed);
        PretrainingBatch b = new PretrainingBatch(s.batch, s.seqLen, s.masked, 0);
        for (int r = 0; r < s.batch; r++) {
            int[] ids = new int[s.seqLen];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 5 + rng.nextInt(s.config.vocabSize() - 5);
            }
            int half = s.seqLen / 2;
            ids[0] = 2;
            ids[half - 1] = 3;
            ids[s.seqLen - 1] = 3;
            int[] positions = new int[s.masked];
            int[] labels = new int[s.masked];
            for (int k = 0; k < s.masked; k++) {
                positions[k] = 1 + k * ((s.seqLen - 2) / s.masked);
                labels[k] = ids[positions[k]];
                ids[positions[k]] = 4;
            }
            b.add(new TrainingInstance(ids, half, rng.nextBoolean(), positions, labels));
        }
        return b;
    }

    /** bertj: PretrainingTask + AdamW (BERT's variant) + clipping, as the Trainer runs them. */
    static final class BertjStepper implements Stepper {
        final PretrainingModel model;
        final PretrainingTask task;
        final AdamW adam;
        final PretrainingBatch batch;

        BertjStepper(Shapes s, long seed) {
            model = PretrainingModel.fromScratch(s.config, seed);
            task = new PretrainingTask(model, Rng.forStream(seed, 3));
            adam = new AdamW(task.parameters(), AdamW.Options.bert(0.01));
            batch = batch(s, seed);
        }

        public String name() {
            return "bertj";
        }

        public void step() {
            for (dev.bertj.core.nn.Parameter p : task.parameters()) {
                p.grad().assign(0);
            }
            task.trainStep(batch, 1f);
            GradientClipping.clipByGlobalNorm(task.parameters(), 1.0);
            adam.step(1e-4);
        }

        public void close() {
            task.close();
            model.close();
        }
    }

    /** PyTorch 2.7.1 through DJL: BertPretrainingBlock, BertPretrainingLoss, Adam. */
    static final class TorchStepper implements Stepper {
        private final Model model;
        private final Trainer trainer;
        private final int[][] tokenIds;
        private final int[][] typeIds;
        private final int[][] masks;
        private final int[][] maskedIndices;
        private final int[] nextSentence;
        private final int[][] maskedIds;
        private final float[][] maskedWeights;

        TorchStepper(Shapes s, long seed) {
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("OPT_OUT_TRACKING", "true");
            BertConfig c = s.config;
            BertPretrainingBlock block = new BertPretrainingBlock(BertBlock.builder()
                    .setTokenDictionarySize(c.vocabSize()).optTypeDictionarySize(c.typeVocabSize())
                    .optEmbeddingSize(c.hiddenSize()).optTransformerBlockCount(c.numHiddenLayers())
                    .optAttentionHeadCount(c.numAttentionHeads()).optHiddenSize(c.intermediateSize())
                    .optHiddenDropoutProbability((float) c.hiddenDropoutProb()).optMaxSequenceLength(s.seqLen));
            block.setInitializer(new TruncatedNormalInitializer(0.02f), Parameter.Type.WEIGHT);
            model = Model.newInstance("bert-pretraining", "PyTorch");
            model.setBlock(block);
            DefaultTrainingConfig config = new DefaultTrainingConfig(new BertPretrainingLoss())
                    .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(1e-4f)).build());
            trainer = model.newTrainer(config);
            Shape tokens = new Shape(s.batch, s.seqLen);
            trainer.initialize(tokens, tokens, tokens, new Shape(s.batch, s.masked));
            PretrainingBatch b = batch(s, seed);
            tokenIds = rows(b.inputIds, s.batch, s.seqLen);
            typeIds = rows(b.tokenTypeIds, s.batch, s.seqLen);
            masks = rows(b.attentionMask, s.batch, s.seqLen);
            maskedIndices = rows(b.maskedLmPositions, s.batch, s.masked);
            maskedIds = rows(b.maskedLmIds, s.batch, s.masked);
            nextSentence = b.nextSentenceLabels.clone();
            maskedWeights = new float[s.batch][s.masked];
            for (float[] w : maskedWeights) {
                Arrays.fill(w, 1f);
            }
        }

        private static int[][] rows(int[] flat, int n, int width) {
            int[][] out = new int[n][];
            for (int i = 0; i < n; i++) {
                out[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
            }
            return out;
        }

        public String name() {
            return "pytorch";
        }

        public void step() {
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDList inputs = new NDList(m.create(tokenIds), m.create(typeIds), m.create(masks),
                        m.create(maskedIndices));
                NDList labels = new NDList(m.create(nextSentence), m.create(maskedIds), m.create(maskedWeights));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDList predictions = trainer.forward(inputs, labels);
                    NDArray loss = trainer.getLoss().evaluate(labels, predictions);
                    gc.backward(loss);
                }
                trainer.step();
            }
        }

        public void close() {
            trainer.close();
            model.close();
        }
    }

    /** GFLOP/s of a [2048 x 2048] x [2048 x 2048] single-precision GEMM, best of 5. */
    static double measuredGemmPeak() {
        int n = 2048;
        Floats a = Floats.allocate((long) n * n);
        Floats b = Floats.allocate((long) n * n);
        Floats c = Floats.allocate((long) n * n);
        a.fill(0.5f);
        b.fill(0.25f);
        double best = 0;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            Gemm.sgemm(false, false, n, n, n, 1f, a.address(), n, b.address(), n, 0f, c.address(), n);
            best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }
        a.release();
        b.release();
        c.release();
        return best;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** VmRSS and VmHWM (peak) from /proc/self/status. */
    static String memory() {
        try {
            String rss = "?";
            String peak = "?";
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = line.substring(6).trim();
                } else if (line.startsWith("VmHWM:")) {
                    peak = line.substring(6).trim();
                }
            }
            return "RSS " + rss + ", peak RSS " + peak;
        } catch (IOException e) {
            return "RSS unknown (" + e.getMessage() + ")";
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            m.put(args[i], args[i + 1]);
        }
        return m;
    }
}
