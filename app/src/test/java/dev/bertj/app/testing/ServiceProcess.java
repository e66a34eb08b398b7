package dev.bertj.app.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged service ({@code app/target/quarkus-app/quarkus-run.jar}) run as a separate process, as
 * {@code ./bert serve} runs it: same JVM flags and CPU environment as the launcher, configuration through
 * environment variables, output to a log file.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Path jar;
    private final Map<String, String> env;
    private final Path log;
    private final int port;
    private Process process;

    public ServiceProcess(Path jar, int port, Map<String, String> env, Path log) {
        this.jar = jar;
        this.port = port;
        this.env = Map.copyOf(env);
        this.log = log;
    }

    /** The packaged jar: {@code -Dbertj.jar}, else the app module's build output. */
    public static Path packagedJar() {
        String p = System.getProperty("bertj.jar");
        Path jar = p != null ? Path.of(p) : Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the package phase first");
        }
        return jar;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public String url() {
        return "http://localhost:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Starts the service and waits until it reports ready. */
    public ServiceProcess start(Duration timeout) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseParallelGC", "-Xss4m"));
        if (Runtime.version().feature() >= 23) {
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("BERTJ_PORT", Integer.toString(port));
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().putAll(env);
        process = pb.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue() + "; see " + log);
            }
            if (status("/q/health/ready") == 200) {
                return this;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service did not become ready within " + timeout + "; see " + log);
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM killer would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Stops it gracefully (SIGTERM). */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    public int status(String path) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url() + path).toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            int s = c.getResponseCode();
            c.disconnect();
            return s;
        } catch (IOException e) {
            return -1;
        }
    }
}
