package dev.bertj.benchmarks;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.transformer.BertBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.bertj.core.engine.CpuSetup;
import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.onnx.OnnxBertImporter;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Encoder inference: bertj against ONNX Runtime (same MiniLM weights) and against PyTorch through DJL. */
final class EncoderSections {

    private EncoderSections() {
    }

    /** A contender's forward pass on one batch. */
    interface Forward {
        void run(EncoderInput in) throws Exception;
    }

    /** Median milliseconds of {@code a} and {@code b} on {@code in}, alternating which goes first every round. */
    static double[][] alternate(Forward a, Forward b, EncoderInput in, int warmup, int runs) throws Exception {
        for (int i = 0; i < warmup; i++) {
            a.run(in);
            b.run(in);
        }
        double[] ta = new double[runs];
        double[] tb = new double[runs];
        for (int r = 0; r < runs; r++) {
            if (r % 2 == 0) {
                ta[r] = time(a, in);
                tb[r] = time(b, in);
            } else {
                tb[r] = time(b, in);
                ta[r] = time(a, in);
            }
        }
        return new double[][] {ta, tb};
    }

    private static double time(Forward f, EncoderInput in) throws Exception {
        long t0 = System.nanoTime();
        f.run(in);
        return (System.nanoTime() - t0) / 1e6;
    }

    static void ort(SuiteContext ctx) throws Exception {
        CpuSetup.ensure();
        int[] seqs = ctx.quick ? new int[] {128} : new int[] {32, 128, 384};
        int[] batches = {1, 8, 32};
        int warmup = ctx.quick ? 2 : 3;
        int runs = ctx.quick ? 5 : 10;
        byte[] onnx;
        try (InputStream in = EncoderSections.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            onnx = in.readAllBytes();
        }
        BertModel minilm;
        try (ImportedModel imported = OnnxBertImporter.read(ByteBuffer.wrap(onnx), "all-minilm-l6-v2.onnx", null)) {
            minilm = BertModel.load(imported.config(), imported.tensors());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(BenchSuite.THREADS);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        ctx.paraf("all-MiniLM-L6-v2 (the langchain4j jar's ONNX file; bertj imports its weights, ONNX Runtime 1.23.2 runs "
                + "it): random token ids, full attention mask, every sequence at full length. ORT: %d intra-op threads, "
                + "1 inter-op, ALL_OPT, **`session.intra_op.allow_spinning=0`**; bertj: %d threads. Both return the "
                + "whole last hidden state as Java floats. Per shape: %d warm-up calls each, then %d rounds, each "
                + "round running both on the same batch (order alternating); medians.%s",
                BenchSuite.THREADS, BenchSuite.THREADS, warmup, runs,
                ctx.quick ? " **Quick mode: seq 128 only** (the full run adds seq 32 and 384)." : "");
        List<List<String>> rows = new ArrayList<>();
        Svg plot = new Svg("all-MiniLM-L6-v2: throughput vs batch", "batch size", "sequences/s", true);
        double[] ratios128 = new double[batches.length];
        double[][] abs128 = new double[batches.length][];
        try (OrtSession session = env.createSession(onnx, options)) {
            for (int seq : seqs) {
                double[] ourRate = new double[batches.length];
                double[] theirRate = new double[batches.length];
                double[] xs = new double[batches.length];
                for (int i = 0; i < batches.length; i++) {
                    int batch = batches[i];
                    EncoderInput in = EncoderBenchmark.randomBatch(batch, seq, minilm.config().vocabSize(), 1000 + batch);
                    double[][] t = alternate(minilm::forward, x -> EncoderBenchmark.runOrt(env, session, x), in, warmup, runs);
                    double a = Stats.median(t[0]);
                    double b = Stats.median(t[1]);
                    double gflop = EncoderBenchmark.forwardFlops(minilm.config(), seq) * batch / 1e9;
                    xs[i] = batch;
                    ourRate[i] = batch * 1000 / a;
                    theirRate[i] = batch * 1000 / b;
                    rows.add(List.of(Integer.toString(seq), Integer.toString(batch), f1(a), f1(b), f1(ourRate[i]),
                            f1(theirRate[i]), Report.ratio(ourRate[i], theirRate[i]), Report.ratio(a, b),
                            f0(gflop / (a / 1000)), f0(gflop / (b / 1000))));
                    if (seq == 128) {
                        ratios128[i] = ourRate[i] / theirRate[i];
                        abs128[i] = new double[] {ourRate[i], theirRate[i]};
                    }
                    System.err.printf(Locale.ROOT, "seq %d batch %d: bertj %.1f ms, ORT %.1f ms%n", seq, batch, a, b);
                }
                plot.add("bertj, seq " + seq, xs, ourRate);
                plot.add("ORT, seq " + seq, xs, theirRate);
            }
        }
        minilm.close();
        ctx.para(Report.table(List.of("seq", "batch", "bertj ms", "ORT ms", "bertj seq/s", "ORT seq/s",
                "throughput bertj/ORT", "latency bertj/ORT", "bertj GFLOP/s", "ORT GFLOP/s"), rows));
        ctx.plot("encoder-throughput.svg", plot);
        for (int i = 0; i < batches.length; i++) {
            ctx.summary("MiniLM-L6 inference, seq 128, batch " + batches[i] + ", sequences/s (" + BenchSuite.THREADS
                    + " threads each)", f1(abs128[i][0]), "ONNX Runtime 1.23.2, allow_spinning=0: " + f1(abs128[i][1]),
                    String.format(Locale.ROOT, "%.2fx", ratios128[i]));
        }

        // BERT-base's efficiency against the GEMM peak.
        try (BertModel base = BertModel.load(ModelRegistry.defaults().resolve("bert-base-uncased"))) {
            int batch = 8;
            int seq = 128;
            EncoderInput in = EncoderBenchmark.randomBatch(batch, seq, base.config().vocabSize(), 7);
            int n = ctx.quick ? 3 : 8;
            double[] t = new double[n];
            for (int r = -2; r < n; r++) {
                long t0 = System.nanoTime();
                base.forward(in);
                if (r >= 0) {
                    t[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            double[] peak = MachineLimitSection.gemm(1024, 768, 3072, ctx.quick ? 8 : 20);
            double flops = EncoderBenchmark.forwardFlops(base.config(), seq) * batch;
            double median = flops / (Stats.median(t) / 1000) / 1e9;
            double best = flops / (Stats.min(t) / 1000) / 1e9;
            ctx.paraf("**BERT-base uncased, batch %d x seq %d** (%.1f GFLOP per batch: 2 per multiply-add of every linear "
                    + "layer and of QK^T and PV): forward %.0f ms median, %.0f ms best of %d; **%.0f GFLOP/s at the "
                    + "median, %.0f at the best run**, against the GEMM peak measured in the same process right after "
                    + "([1024x768]x[768x3072], best of %d) of **%.0f GFLOP/s**: %.0f%% (median) / %.0f%% (best).",
                    batch, seq, flops / 1e9, Stats.median(t), Stats.min(t), n, median, best, peak.length,
                    Stats.max(peak), 100 * median / Stats.max(peak), 100 * best / Stats.max(peak));
            ctx.summary("BERT-base inference, batch 8 x 128, GFLOP/s (median)", f0(median), "GEMM peak, same run: "
                    + f0(Stats.max(peak)), String.format(Locale.ROOT, "%.0f%% of peak", 100 * median / Stats.max(peak)));
        }
    }

    static void torch(SuiteContext ctx) throws Exception {
        CpuSetup.ensure();
        System.setProperty("ai.djl.offline", "true");
        ctx.paraf("PyTorch 2.7.1 through DJL 0.36.0 (`-Dai.djl.pytorch.num_threads=%d`, interop 1): DJL's `BertBlock` "
                + "with random initialisation: BERT's shapes and FLOPs, not exactly its function (BatchNorm-style "
                + "details differ, see ENGINE-NOTES.md), so **a speed peer only**. bertj runs the real checkpoints "
                + "(bert-base-uncased, all-MiniLM-L6-v2); speed does not depend on the weights' values. Random ids, full "
                + "mask, seq 128; both return the last hidden state as Java floats; alternating rounds, medians.",
                BenchSuite.THREADS);
        record Case(String name, String model, BertConfig config, int batch) {
        }
        List<Case> cases = new ArrayList<>();
        BertConfig base = BertConfig.base(30522);
        BertConfig mini = BertConfig.of(30522, 384, 6, 12, 1536);
        cases.add(new Case("BERT-base", "bert-base-uncased", base, 1));
        cases.add(new Case("BERT-base", "bert-base-uncased", base, 8));
        cases.add(new Case("MiniLM-L6", "all-minilm-l6-v2", mini, 1));
        cases.add(new Case("MiniLM-L6", "all-minilm-l6-v2", mini, 8));
        if (!ctx.quick) {
            cases.add(new Case("MiniLM-L6", "all-minilm-l6-v2", mini, 32));
        }
        int warmup = 2;
        int seq = 128;
        List<List<String>> rows = new ArrayList<>();
        String loaded = "";
        BertModel ours = null;
        Model theirs = null;
        for (Case c : cases) {
            if (!c.model.equals(loaded)) {
                if (ours != null) {
                    ours.close();
                    theirs.close();
                }
                ours = BertModel.load(ModelRegistry.defaults().resolve(c.model));
                theirs = torchBert(c.config, seq);
                loaded = c.model;
            }
            int runs = ctx.quick ? (c.model.equals("bert-base-uncased") ? 3 : 5) : (c.model.equals("bert-base-uncased") ? 6 : 10);
            Model torchModel = theirs;
            BertModel bertj = ours;
            EncoderInput in = EncoderBenchmark.randomBatch(c.batch, seq, 30522, 11 + c.batch);
            double[][] t = alternate(bertj::forward, x -> torchForward(torchModel, x), in, warmup, runs);
            double a = Stats.median(t[0]);
            double b = Stats.median(t[1]);
            double gflop = EncoderBenchmark.forwardFlops(c.config, seq) * c.batch / 1e9;
            rows.add(List.of(c.name, Integer.toString(c.batch), f1(a), f1(b), f1(c.batch * 1000 / a),
                    f1(c.batch * 1000 / b), Report.ratio(b, a), f0(gflop / (a / 1000)), f0(gflop / (b / 1000)),
                    Integer.toString(runs)));
            ctx.summary(c.name + " inference, batch " + c.batch + " x 128, sequences/s (" + BenchSuite.THREADS
                    + " threads each)", f1(c.batch * 1000 / a), "PyTorch 2.7.1 (DJL BertBlock): " + f1(c.batch * 1000 / b),
                    Report.ratio(b, a));
            System.err.printf(Locale.ROOT, "%s batch %d: bertj %.1f ms, PyTorch %.1f ms%n", c.name, c.batch, a, b);
        }
        ours.close();
        theirs.close();
        ctx.para(Report.table(List.of("model", "batch", "bertj ms", "PyTorch ms", "bertj seq/s", "PyTorch seq/s",
                "throughput bertj/PyTorch", "bertj GFLOP/s", "PyTorch GFLOP/s", "rounds"), rows));
    }

    static Model torchBert(BertConfig c, int seq) {
        BertBlock block = BertBlock.builder().setTokenDictionarySize(c.vocabSize()).optTypeDictionarySize(2)
                .optEmbeddingSize(c.hiddenSize()).optTransformerBlockCount(c.numHiddenLayers())
                .optAttentionHeadCount(c.numAttentionHeads()).optHiddenSize(c.intermediateSize())
                .optHiddenDropoutProbability(0f).optMaxSequenceLength(seq).build(); // DJL adds all max-length positions: must equal seq
        block.setInitializer(new TruncatedNormalInitializer(0.02f), Parameter.Type.WEIGHT);
        Model model = Model.newInstance("bert", "PyTorch");
        model.setBlock(block);
        Shape shape = new Shape(1, seq);
        block.initialize(model.getNDManager(), DataType.FLOAT32, shape, shape, shape);
        return model;
    }

    static void torchForward(Model model, EncoderInput in) {
        int b = in.batch();
        int s = in.seqLen();
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDList inputs = new NDList(m.create(in.inputIds(), new Shape(b, s)), m.create(in.tokenTypeIds(), new Shape(b, s)),
                    m.create(in.attentionMask(), new Shape(b, s)));
            NDList out = model.getBlock().forward(new ParameterStore(m, false), inputs, false);
            out.get(0).toFloatArray();
        }
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
