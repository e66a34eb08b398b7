package dev.bertj.benchmarks;

import dev.bertj.core.engine.CpuSetup;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Gemm;
import dev.bertj.core.nn.Rng;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The physical limit the other sections are measured against: the FMA peak (a Java Vector API loop of independent
 * fused multiply-adds, which C2 compiles to the widest vfmadd the CPU has) on one core and on all cores, and the
 * GEMM rate OpenBLAS reaches through bertj's own calls on BERT-base's shapes.
 */
final class MachineLimitSection {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private MachineLimitSection() {
    }

    static void run(SuiteContext ctx) throws Exception {
        CpuSetup.ensure();
        ctx.para("Kernel selection as loaded: " + CpuSetup.report() + ".");
        int reps = ctx.quick ? 5 : 15;
        // FMA peak. Timed by the thread's CPU time as well as the wall clock: on a shared machine the CPU-time rate
        // is the core's own limit (what the silicon does while the thread runs), the wall-clock rate what is left now.
        long iters = 100_000_000L;
        for (int i = 0; i < 5; i++) {
            fmaLoop(iters / 20); // JIT warm-up
        }
        double onePerCpu = 0;
        double oneWall = 0;
        double allWall = 0;
        for (int r = 0; r < reps; r++) {
            double[] one = fmaGflops(1, iters);
            onePerCpu = Math.max(onePerCpu, one[1]);
            oneWall = Math.max(oneWall, one[0]);
            allWall = Math.max(allWall, fmaGflops(BenchSuite.THREADS, iters)[0]);
        }
        double all = onePerCpu * BenchSuite.THREADS;
        ctx.paraf("**FMA peak** (Java Vector API, %d-bit vectors, 12 independent FMA chains per thread, best of %d runs "
                + "of 1.2 G vector FMAs): **%.0f GFLOP/s per core** by the thread's CPU time, so **%.0f GFLOP/s for the "
                + "%d cores** (the physical limit). By the wall clock, with the machine shared: %.0f GFLOP/s on one "
                + "thread, %.0f GFLOP/s on %d threads at once (what the other work leaves over). ENGINE-NOTES.md "
                + "measured ~270 per core with AVX-512 on a quiet machine of this type; the CPU-time rate is lower too "
                + "when the core's other hardware thread (another VM's or process's work) shares its FMA units.", S.vectorBitSize(), reps,
                onePerCpu, all, BenchSuite.THREADS, oneWall, allWall, BenchSuite.THREADS);
        // GEMM on BERT-base's shapes.
        int[][] shapes = {
            {128, 768, 2304}, {128, 768, 768}, {128, 768, 3072}, {128, 3072, 768},
            {1024, 768, 2304}, {1024, 768, 768}, {1024, 768, 3072}, {1024, 3072, 768}};
        String[] names = {"QKV", "attention output", "FFN up", "FFN down", "QKV", "attention output", "FFN up",
            "FFN down"};
        List<List<String>> rows = new ArrayList<>();
        double peak = 0;
        for (int i = 0; i < shapes.length; i++) {
            int m = shapes[i][0];
            int k = shapes[i][1];
            int n = shapes[i][2];
            double[] g = gemm(m, k, n, reps + 3);
            peak = Math.max(peak, Stats.max(g));
            rows.add(List.of(names[i] + (m == 128 ? " (batch 1 x 128)" : " (batch 8 x 128)"),
                    String.format(Locale.ROOT, "[%dx%d] x [%dx%d]", m, k, k, n),
                    String.format(Locale.ROOT, "%.0f", Stats.median(g)), String.format(Locale.ROOT, "%.0f", Stats.max(g))));
        }
        double[] att = attentionGemm(reps * 20);
        rows.add(List.of("attention scores, one head, one thread", "[128x64] x [64x128]",
                String.format(Locale.ROOT, "%.0f", Stats.median(att)), String.format(Locale.ROOT, "%.0f", Stats.max(att))));
        ctx.para("**GEMM** through bertj's `Gemm` (OpenBLAS `cblas_sgemm`, float32, " + BenchSuite.THREADS
                + " threads, weights stored [out x in] as in BERT), GFLOP/s over " + (reps + 3)
                + " calls after warm-up:\n\n"
                + Report.table(List.of("layer", "shape", "median GFLOP/s", "best GFLOP/s"), rows));
        ctx.paraf("Best GEMM rate in this run (the \"GEMM peak\" other sections compare with): **%.0f GFLOP/s**, "
                + "%.0f%% of the all-cores FMA peak measured above.", peak, 100 * peak / all);
        ctx.summary("FMA peak, GFLOP/s, 1 core / " + BenchSuite.THREADS + " cores (CPU-time rate)",
                String.format(Locale.ROOT, "%.0f / %.0f", onePerCpu, all), "(machine limit)", "-");
        ctx.summary("GEMM peak on BERT-base shapes, GFLOP/s, " + BenchSuite.THREADS + " threads",
                String.format(Locale.ROOT, "%.0f", peak), "(OpenBLAS " + CpuSetup.report().openblasCore() + ")",
                String.format(Locale.ROOT, "%.0f%% of FMA peak", 100 * peak / all));
    }

    /**
     * GFLOP/s of {@code threads} threads each running the FMA loop at once: {wall-clock rate of all threads,
     * CPU-time rate of one thread}.
     */
    static double[] fmaGflops(int threads, long iters) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            List<Callable<double[]>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(() -> {
                    long c0 = mx.getCurrentThreadCpuTime();
                    float r = fmaLoop(iters);
                    return new double[] {r, (mx.getCurrentThreadCpuTime() - c0) / 1e9};
                });
            }
            long t0 = System.nanoTime();
            float sink = 0;
            double cpu = Double.MAX_VALUE;
            for (Future<double[]> f : pool.invokeAll(tasks)) {
                sink += (float) f.get()[0];
                cpu = Math.min(cpu, f.get()[1]);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (sink == 42.4242f) {
                System.out.println(sink); // keeps the result alive
            }
            double flops = (double) iters * 12 * S.length() * 2;
            return new double[] {threads * flops / seconds / 1e9, flops / cpu / 1e9};
        } finally {
            pool.shutdown();
        }
    }

    /** 12 independent chains a = a * m + c: enough in flight to cover the FMA latency on every pipe. */
    static float fmaLoop(long iters) {
        FloatVector m = FloatVector.broadcast(S, 0.999f);
        FloatVector c = FloatVector.broadcast(S, 0.001f);
        FloatVector a0 = FloatVector.broadcast(S, 0.1f);
        FloatVector a1 = FloatVector.broadcast(S, 0.2f);
        FloatVector a2 = FloatVector.broadcast(S, 0.3f);
        FloatVector a3 = FloatVector.broadcast(S, 0.4f);
        FloatVector a4 = FloatVector.broadcast(S, 0.5f);
        FloatVector a5 = FloatVector.broadcast(S, 0.6f);
        FloatVector a6 = FloatVector.broadcast(S, 0.7f);
        FloatVector a7 = FloatVector.broadcast(S, 0.8f);
        FloatVector a8 = FloatVector.broadcast(S, 0.9f);
        FloatVector a9 = FloatVector.broadcast(S, 1.0f);
        FloatVector a10 = FloatVector.broadcast(S, 1.1f);
        FloatVector a11 = FloatVector.broadcast(S, 1.2f);
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** GFLOP/s of each of {@code calls} timed [m x k] x [k x n] linear-layer GEMMs (after 3 untimed ones). */
    static double[] gemm(int m, int k, int n, int calls) {
        Floats a = Floats.allocate((long) m * k);
        Floats w = Floats.allocate((long) n * k);
        Floats c = Floats.allocate((long) m * n);
        Rng rng = new Rng(3);
        for (int i = 0; i < a.length(); i++) {
            a.set(i, rng.nextFloat() - 0.5f);
        }
        for (int i = 0; i < w.length(); i++) {
            w.set(i, rng.nextFloat() - 0.5f);
        }
        double[] g = new double[calls];
        for (int r = -3; r < calls; r++) {
            long t0 = System.nanoTime();
            Gemm.linear(a, 0, w, c, 0, m, k, n, 0f);
            if (r >= 0) {
                g[r] = 2.0 * m * n * k / ((System.nanoTime() - t0) / 1e9) / 1e9;
            }
        }
        a.release();
        w.release();
        c.release();
        return g;
    }

    /** One head's Q K^T at seq 128 (single-threaded in OpenBLAS at this size, as the encoder runs it). */
    static double[] attentionGemm(int calls) {
        int s = 128;
        int d = 64;
        Floats q = Floats.allocate((long) s * d);
        Floats k = Floats.allocate((long) s * d);
        Floats o = Floats.allocate((long) s * s);
        q.fill(0.01f);
        k.fill(0.02f);
        double[] g = new double[calls];
        for (int r = -20; r < calls; r++) {
            long t0 = System.nanoTime();
            Gemm.sgemm(false, true, s, s, d, 1f, q.address(), d, k.address(), d, 0f, o.address(), s);
            if (r >= 0) {
                g[r] = 2.0 * s * s * d / ((System.nanoTime() - t0) / 1e9) / 1e9;
            }
        }
        q.release();
        k.release();
        o.release();
        return g;
    }
}
