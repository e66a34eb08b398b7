package dev.bertj.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packaged service (app/target/quarkus-app/quarkus-run.jar, {@code serve} on loopback) under load from wrk, a
 * real HTTP load generator (Debian's {@code wrk}; a Lua script supplies the POST bodies and prints the latency
 * percentiles), at 1, 4, 16 and 64 concurrent connections on /v1/embed and /v1/fill-mask; the server's RSS is
 * sampled from /proc every 250 ms throughout.
 */
final class ServiceSection {

    static final int[] CLIENTS = {1, 4, 16, 64};

    private ServiceSection() {
    }

    /** One wrk run's figures, parsed from the Lua script's "BENCH key=value ..." line. */
    record WrkResult(long requests, double seconds, long non2xx, long timeouts, long socketErrors, double p50Ms,
                     double p95Ms, double p99Ms, double maxMs) {
        double perSecond() {
            return requests / seconds;
        }

        static WrkResult parse(String output) {
            for (String line : output.split("\n")) {
                if (line.startsWith("BENCH ")) {
                    Map<String, String> kv = new LinkedHashMap<>();
                    for (String part : line.substring(6).trim().split(" ")) {
                        int eq = part.indexOf('=');
                        kv.put(part.substring(0, eq), part.substring(eq + 1));
                    }
                    return new WrkResult(Long.parseLong(kv.get("requests")), Long.parseLong(kv.get("duration_us")) / 1e6,
                            Long.parseLong(kv.get("status")), Long.parseLong(kv.get("timeout")),
                            Long.parseLong(kv.get("connect")) + Long.parseLong(kv.get("read"))
                                    + Long.parseLong(kv.get("write")),
                            Long.parseLong(kv.get("p50")) / 1e3, Long.parseLong(kv.get("p95")) / 1e3,
                            Long.parseLong(kv.get("p99")) / 1e3, Long.parseLong(kv.get("max")) / 1e3);
                }
            }
            throw new IllegalArgumentException("wrk printed no BENCH line:\n" + output);
        }
    }

    /** wrk's Lua script: a fixed JSON POST, and a done() that prints the figures on one line. */
    static String luaScript(String jsonBody) {
        return "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.body = [[" + jsonBody + "]]\n"
                + "done = function(summary, latency, requests)\n"
                + "  io.write(string.format(\"BENCH requests=%d duration_us=%d status=%d timeout=%d connect=%d read=%d "
                + "write=%d p50=%d p95=%d p99=%d max=%d\\n\", summary.requests, summary.duration, summary.errors.status, "
                + "summary.errors.timeout, summary.errors.connect, summary.errors.read, summary.errors.write, "
                + "latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))\n"
                + "end\n";
    }

    static void run(SuiteContext ctx) throws Exception {
        Path jar = ctx.repo.resolve("app/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            ctx.para("Not measured: the packaged service " + jar + " does not exist (`./mvnw -B package -DskipTests` "
                    + "builds it; `./bert bench` does that when it is missing).");
            return;
        }
        if (!onPath("wrk")) {
            ctx.para("Not measured: `wrk` is not installed (`apt-get install wrk`).");
            return;
        }
        int seconds = ctx.quick ? 5 : 20;
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-X") || a.startsWith("--add-modules") || a.startsWith("--enable-native-access")
                    || a.startsWith("--sun-misc")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--host", "127.0.0.1", "--port", Integer.toString(port)));
        Path log = ctx.out.resolve("logs").resolve("service-server.log");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        AtomicLong peak = new AtomicLong();
        AtomicLong levelPeak = new AtomicLong();
        List<long[]> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        Thread sampler = new Thread(() -> {
            while (server.isAlive()) {
                long kb = Machine.rssKb(server.pid());
                if (kb > 0) {
                    peak.accumulateAndGet(kb, Math::max);
                    levelPeak.accumulateAndGet(kb, Math::max);
                    synchronized (samples) {
                        samples.add(new long[] {(System.nanoTime() - t0) / 1_000_000, kb});
                    }
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        try {
            double ready = waitReady(port, server, 300);
            long rssReady = Machine.rssKb(server.pid());
            ctx.paraf("Server: `java %s -jar app/target/quarkus-app/quarkus-run.jar serve --host 127.0.0.1 --port %d` "
                    + "(the launcher's JVM options; default model bert-base-uncased, the service's dynamic batcher with its "
                    + "default settings), ready after %.1f s with RSS %,d kB. Load: `wrk -t min(c,2) -c c -d %ds "
                    + "--timeout 60s -s post.lua` (wrk is closed-loop: each connection sends its next request when the "
                    + "previous answer arrives), one level after the other, after a %d s warm-up per endpoint at 4 "
                    + "connections. Latency percentiles are wrk's (HdrHistogram-style, per request). The server has the "
                    + "machine's %d cores; wrk runs on the same cores.", String.join(" ", cmd.subList(1, cmd.size() - 7)),
                    port, ready, rssReady, seconds, ctx.quick ? 3 : 5, Runtime.getRuntime().availableProcessors());
            Map<String, String> bodies = new LinkedHashMap<>();
            bodies.put("/v1/embed", "{\"inputs\": \"The quick brown fox jumps over the lazy dog near the river bank.\"}");
            bodies.put("/v1/fill-mask", "{\"inputs\": \"The capital of France is [MASK].\"}");
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, String> e : bodies.entrySet()) {
                Path script = ctx.out.resolve("logs").resolve("post" + e.getKey().replace('/', '-') + ".lua");
                Files.writeString(script, luaScript(e.getValue()), StandardCharsets.UTF_8);
                String url = "http://127.0.0.1:" + port + e.getKey();
                wrk(script, url, 4, ctx.quick ? 3 : 5);
                double[] p50 = new double[CLIENTS.length];
                double[] p95 = new double[CLIENTS.length];
                double[] p99 = new double[CLIENTS.length];
                double[] xs = new double[CLIENTS.length];
                for (int i = 0; i < CLIENTS.length; i++) {
                    levelPeak.set(0);
                    WrkResult r = wrk(script, url, CLIENTS[i], seconds);
                    xs[i] = CLIENTS[i];
                    p50[i] = r.p50Ms();
                    p95[i] = r.p95Ms();
                    p99[i] = r.p99Ms();
                    rows.add(List.of(e.getKey(), Integer.toString(CLIENTS[i]), f(1, r.perSecond()), f(0, r.p50Ms()),
                            f(0, r.p95Ms()), f(0, r.p99Ms()), f(0, r.maxMs()), Long.toString(r.requests()),
                            r.non2xx() + " / " + r.timeouts() + " / " + r.socketErrors(),
                            String.format(Locale.ROOT, "%,d", levelPeak.get())));
                    ctx.summary("service " + e.getKey() + ", " + CLIENTS[i] + " clients: req/s, p50 / p99 ms",
                            f(1, r.perSecond()) + " req/s, " + f(0, r.p50Ms()) + " / " + f(0, r.p99Ms()) + " ms", "-", "-");
                    System.err.printf(Locale.ROOT, "%s c=%d: %s%n", e.getKey(), CLIENTS[i], r);
                }
                Svg plot = new Svg("latency vs concurrency: " + e.getKey(), "concurrent clients", "latency (ms)", true);
                plot.add("p50", xs, p50).add("p95", xs, p95).add("p99", xs, p99);
                ctx.plot("service-latency" + e.getKey().replace("/v1/", "-") + ".svg", plot);
            }
            ctx.para(Report.table(List.of("endpoint", "clients", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
                    "requests", "non-2xx / timeouts / socket errors", "peak RSS during level (kB)"), rows));
            List<long[]> copy;
            synchronized (samples) {
                copy = new ArrayList<>(samples);
            }
            Svg rss = new Svg("service RSS over the run", "seconds since start", "RSS (MB)", false);
            rss.add("server RSS", copy.stream().mapToDouble(s -> s[0] / 1000.0).toArray(),
                    copy.stream().mapToDouble(s -> s[1] / 1024.0).toArray());
            ctx.paraf("Server RSS: %,d kB when ready, peak %,d kB over the run, %,d kB at the end (%d samples).", rssReady,
                    peak.get(), Machine.rssKb(server.pid()), copy.size());
            ctx.plot("service-rss.svg", rss);
            ctx.summary("service RSS, ready / peak under load", f(0, rssReady / 1024.0) + " / " + f(0, peak.get() / 1024.0)
                    + " MB", "-", "-");
        } finally {
            server.destroy();
            if (!server.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
            sampler.interrupt();
        }
    }

    static WrkResult wrk(Path script, String url, int clients, int seconds) throws IOException, InterruptedException {
        List<String> cmd = List.of("wrk", "-t", Integer.toString(Math.min(clients, 2)), "-c", Integer.toString(clients),
                "-d", seconds + "s", "--timeout", "60s", "-s", script.toString(), url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return WrkResult.parse(out);
    }

    /** Seconds until GET /q/health/ready answers 200. */
    static double waitReady(int port, Process server, int timeoutSeconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long t0 = System.nanoTime();
        while ((System.nanoTime() - t0) / 1e9 < timeoutSeconds) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited with " + server.exitValue()
                        + " (see logs/service-server.log)");
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return (System.nanoTime() - t0) / 1e9;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the server was not ready after " + timeoutSeconds + " s");
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static String f(int decimals, double v) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
