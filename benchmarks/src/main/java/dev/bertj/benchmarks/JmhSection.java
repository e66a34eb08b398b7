package dev.bertj.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * JMH 1.37 micro-benchmarks ({@code dev.bertj.benchmarks.jmh}: row kernels, one encoder layer forward and
 * forward + backward, one tokenizer encode), run through JMH's own runner in forked JVMs with this JVM's options.
 * JMH's standard output is kept as {@code jmh.txt} and its JSON as {@code jmh.json} next to report.md.
 */
final class JmhSection {

    private JmhSection() {
    }

    static void run(SuiteContext ctx) throws Exception {
        List<String> jvm = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent")) {
                jvm.add(a);
            }
        }
        String warm = ctx.quick ? "1" : "3";
        String iters = ctx.quick ? "2" : "5";
        String time = ctx.quick ? "1s" : "2s";
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.openjdk.jmh.Main",
                "dev.bertj.benchmarks.jmh", "-f", "1", "-wi", warm, "-i", iters, "-w", time, "-r", time,
                "-rf", "json", "-rff", ctx.out.resolve("jmh.json").toString(), "-jvmArgs", String.join(" ", jvm)));
        Path txt = ctx.out.resolve("jmh.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(txt.toFile()).start();
        int code = p.waitFor();
        if (code != 0 || !Files.isRegularFile(ctx.out.resolve("jmh.json"))) {
            ctx.para("JMH failed (exit " + code + "); its output is in `jmh.txt`:\n\n```\n" + BenchSuite.tail(txt, 20)
                    + "\n```");
            return;
        }
        JsonNode results = new ObjectMapper().readTree(ctx.out.resolve("jmh.json").toFile());
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode r : results) {
            JsonNode m = r.get("primaryMetric");
            String name = r.get("benchmark").asText().replace("dev.bertj.benchmarks.jmh.", "");
            rows.add(List.of(name, r.get("mode").asText(), String.format(Locale.ROOT, "%.3f", m.get("score").asDouble()),
                    Double.isNaN(m.path("scoreError").asDouble(Double.NaN)) ? "-"
                            : String.format(Locale.ROOT, "%.3f", m.get("scoreError").asDouble()),
                    m.get("scoreUnit").asText()));
        }
        ctx.paraf("`java <the launcher's JVM options> -cp benchmarks/target/classes:benchmarks/target/lib/* "
                + "org.openjdk.jmh.Main dev.bertj.benchmarks.jmh -f 1 -wi %s -i %s -w %s -r %s` (JMH 1.37; average "
                + "time per call, one forked JVM%s). JMH's own output: [jmh.txt](jmh.txt), [jmh.json](jmh.json). "
                + "Kernels: softmax over 128 scores, exact GELU over a 3,072 row, LayerNorm over a 768 row (SIMD via "
                + "jdk.incubator.vector); layer: one BERT-base-wide encoder layer at batch 1 x 128 with %d threads; "
                + "tokenizer: bertj's full encode of a 150-word SQuAD paragraph.", warm, iters, time, time,
                ctx.quick ? ", quick mode: short iterations, wide error bars" : "", BenchSuite.THREADS);
        ctx.para(Report.table(List.of("benchmark", "mode", "score", "error (99.9%)", "unit"), rows));
    }
}
