package dev.bertj.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./bert bench [--quick] [--out DIR]}: the whole benchmark suite, one report.
 *
 * <p>Each section runs in its own JVM (same JVM options and class path as this one), so that one peer's native
 * thread pools, memory or a native crash cannot affect the next section; inside a section bertj and its peer run
 * alternately in one process. The sections write {@code sections/<id>.md} and {@code sections/<id>.summary.tsv}
 * into the output directory, plots as SVG next to report.md and logs under {@code logs/}; this process then
 * assembles {@code report.md}. {@code --quick} shrinks the rounds and shapes (each section says what it ran).
 */
public final class BenchSuite {

    /** Section ids, in report order, with their titles. */
    static final Map<String, String> SECTIONS = new LinkedHashMap<>();

    static {
        SECTIONS.put("limit", "Machine limit: FMA peak and GEMM");
        SECTIONS.put("tokenizer", "Tokenizer vs Hugging Face tokenizers");
        SECTIONS.put("encoder-ort", "Encoder inference vs ONNX Runtime");
        SECTIONS.put("encoder-torch", "Encoder inference vs PyTorch (DJL)");
        SECTIONS.put("training", "Training vs PyTorch (DJL)");
        SECTIONS.put("heads", "Heads through the Java API");
        SECTIONS.put("service", "The HTTP service under load");
        SECTIONS.put("quality", "Quality");
        SECTIONS.put("jmh", "JMH micro-benchmarks");
    }

    /** Threads every contender is given: one per core. */
    static final int THREADS = Runtime.getRuntime().availableProcessors();

    private BenchSuite() {
    }

    /** The user's options (what followed `./bert bench`), for the report. */
    private static String options = "";

    public static void main(String[] args) throws Exception {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--repo")) {
                i++;
            } else {
                shown.add(args[i]);
            }
        }
        options = shown.isEmpty() ? "" : " " + String.join(" ", shown);
        boolean quick = false;
        Path out = null;
        Path repo = Path.of("").toAbsolutePath();
        String section = null;
        List<String> only = new ArrayList<>(SECTIONS.keySet());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--repo" -> repo = Path.of(args[++i]).toAbsolutePath();
                case "--section" -> section = args[++i];
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                case "-h", "--help" -> {
                    System.out.println("usage: bert bench [--quick] [--out DIR] [--only " + String.join(",", SECTIONS.keySet())
                            + "]\n  runs the benchmark suite; writes DIR/report.md and SVG plots (default DIR: "
                            + "benchmarks/results/<date>)");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
        }
        if (out == null) {
            out = repo.resolve("benchmarks/results").resolve(LocalDate.now().toString());
        }
        out = out.toAbsolutePath();
        Files.createDirectories(out.resolve("sections"));
        Files.createDirectories(out.resolve("logs"));
        if (section != null) {
            runSection(section, new SuiteContext(quick, out, repo));
            return;
        }
        for (String id : only) {
            if (!SECTIONS.containsKey(id)) {
                throw new IllegalArgumentException("unknown section " + id + " (sections: " + SECTIONS.keySet() + ")");
            }
        }
        runAll(quick, out, repo, only);
    }

    private static void runAll(boolean quick, Path out, Path repo, List<String> only) throws Exception {
        long start = System.nanoTime();
        String loadBefore = Machine.loadAverage();
        String started = LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        List<Report.Section> done = new ArrayList<>();
        // Sections not re-run this time but measured earlier into the same directory stay in the report, marked.
        Map<String, Report.Section> earlier = new LinkedHashMap<>();
        List<String> rerunNote = new ArrayList<>();
        if (only.size() < SECTIONS.size()) {
            for (String id : SECTIONS.keySet()) {
                Path md = out.resolve("sections").resolve(id + ".md");
                if (!only.contains(id) && Files.isRegularFile(md)) {
                    Path secs = out.resolve("sections").resolve(id + ".seconds");
                    double s = Files.isRegularFile(secs) ? Double.parseDouble(Files.readString(secs).trim()) : 0;
                    earlier.put(id, new Report.Section(id, SECTIONS.get(id), Files.readString(md),
                            Report.readSummary(out.resolve("sections").resolve(id + ".summary.tsv")), s));
                }
            }
            if (!earlier.isEmpty()) {
                rerunNote.add("Re-run with `--only " + String.join(",", only) + "` at " + started + " into an existing "
                        + "report: the other sections are from the earlier run (their load and wall time differ)");
            }
        }
        for (String id : only) {
            System.err.printf(Locale.ROOT, "bench: %s ...%n", SECTIONS.get(id));
            long t0 = System.nanoTime();
            int code = runChild(id, quick, out, repo);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Path md = out.resolve("sections").resolve(id + ".md");
            String body;
            if (code == 0 && Files.isRegularFile(md)) {
                body = Files.readString(md);
            } else {
                body = "This section could not run (exit code " + code + "). The end of its log (logs/" + id
                        + ".log):\n\n```\n" + tail(out.resolve("logs").resolve(id + ".log"), 25) + "\n```\n";
            }
            Files.writeString(out.resolve("sections").resolve(id + ".seconds"), Double.toString(seconds));
            done.add(new Report.Section(id, SECTIONS.get(id), body,
                    code == 0 ? Report.readSummary(out.resolve("sections").resolve(id + ".summary.tsv")) : List.of(),
                    seconds));
            System.err.printf(Locale.ROOT, "bench: %s done in %.0f s (exit %d)%n", SECTIONS.get(id), seconds, code);
            // Write what we have after every section, so an interrupted run still leaves a report.
            writeReport(quick, out, repo, ordered(done, earlier), started, loadBefore, (System.nanoTime() - start) / 1e9,
                    false, rerunNote);
        }
        double total = (System.nanoTime() - start) / 1e9;
        writeReport(quick, out, repo, ordered(done, earlier), started, loadBefore, total, true, rerunNote);
        System.err.printf(Locale.ROOT, "bench: report written to %s (%.1f min)%n", out.resolve("report.md"), total / 60);
    }

    /** This run's sections and the earlier ones, in report order. */
    static List<Report.Section> ordered(List<Report.Section> done, Map<String, Report.Section> earlier) {
        List<Report.Section> all = new ArrayList<>();
        for (String id : SECTIONS.keySet()) {
            done.stream().filter(s -> s.id().equals(id)).findFirst().or(() -> java.util.Optional.ofNullable(earlier.get(id)))
                    .ifPresent(all::add);
        }
        return all;
    }

    private static void writeReport(boolean quick, Path out, Path repo, List<Report.Section> done, String started,
                                    String loadBefore, double seconds, boolean finished, List<String> notes)
            throws IOException {
        List<String> facts = new ArrayList<>(notes);
        facts.add("Command: `./bert bench" + options + "` (from the repository root); started "
                + started + ", git commit " + Machine.gitCommit(repo));
        facts.add(String.format(Locale.ROOT, "Mode: %s; wall time of the whole run: %.1f min%s", quick
                ? "**quick** (fewer rounds and shapes; each section says what it ran)" : "full", seconds / 60,
                finished ? "" : " (so far: the run was still going or was interrupted)"));
        facts.addAll(Machine.facts());
        facts.add("Load average (1, 5, 15 min) at the start: " + loadBefore + "; at the end: " + Machine.loadAverage()
                + ". The machine's 2 cores are shared with other work (a long training run), so absolute figures "
                + "are noisy; the ratios come from contenders run alternately in one process and are what count.");
        facts.add("Threads: bertj " + THREADS + " (OMP_NUM_THREADS and its own pool), ONNX Runtime intra-op " + THREADS
                + " / inter-op 1 with `session.intra_op.allow_spinning=0`, PyTorch (DJL) num_threads " + THREADS
                + " / interop 1, HF tokenizers RAYON_NUM_THREADS=" + THREADS);
        String title = "bertj benchmark report, " + LocalDate.now() + (quick ? " (quick)" : "");
        Files.writeString(out.resolve("report.md"), Report.assemble(title, facts, done), StandardCharsets.UTF_8);
    }

    /** Runs one section in a fresh JVM with this JVM's options; its output goes to logs/<id>.log. */
    private static int runChild(String id, boolean quick, Path out, Path repo) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
                cmd.add(a);
            }
        }
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.num_threads=" + THREADS);
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchSuite.class.getName(), "--section", id,
                "--out", out.toString(), "--repo", repo.toString()));
        if (quick) {
            cmd.add("--quick");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("logs").resolve(id + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.putIfAbsent("RAYON_NUM_THREADS", Integer.toString(THREADS));
        env.putIfAbsent("PYTORCH_VERSION", "2.7.1");
        env.putIfAbsent("PYTORCH_FLAVOR", "cpu");
        env.putIfAbsent("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        long limitMinutes = quick ? 6 : 45;
        if (!p.waitFor(limitMinutes, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
            Files.writeString(out.resolve("logs").resolve(id + ".log"), "\n[bench] stopped after " + limitMinutes
                    + " minutes\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            return -1;
        }
        return p.exitValue();
    }

    private static void runSection(String id, SuiteContext ctx) throws Exception {
        switch (id) {
            case "limit" -> MachineLimitSection.run(ctx);
            case "tokenizer" -> TokenizerSection.run(ctx);
            case "encoder-ort" -> EncoderSections.ort(ctx);
            case "encoder-torch" -> EncoderSections.torch(ctx);
            case "training" -> TrainingSection.run(ctx);
            case "heads" -> HeadsSection.run(ctx);
            case "service" -> ServiceSection.run(ctx);
            case "quality" -> QualitySection.run(ctx);
            case "jmh" -> JmhSection.run(ctx);
            default -> throw new IllegalArgumentException("unknown section " + id);
        }
        Files.writeString(ctx.out.resolve("sections").resolve(id + ".md"), ctx.body(), StandardCharsets.UTF_8);
        Report.writeSummary(ctx.out.resolve("sections").resolve(id + ".summary.tsv"), ctx.summary());
        // Native libraries (ORT, PyTorch, OpenBLAS) keep non-daemon threads: leave explicitly.
        System.exit(0);
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
