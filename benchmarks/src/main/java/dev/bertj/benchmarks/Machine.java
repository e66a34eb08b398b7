package dev.bertj.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Facts about the machine and the process, read from /proc and the environment, for the report's header. */
final class Machine {

    private Machine() {
    }

    static List<String> facts() {
        List<String> f = new ArrayList<>();
        f.add("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores visible to the JVM"
                + (cpuFlags().contains(" avx512f ") ? ", AVX-512" : cpuFlags().contains(" avx2 ") ? ", AVX2" : "")
                + "; memory " + memTotal());
        f.add("JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vendor") + "); OS: " + System.getProperty("os.name") + " "
                + System.getProperty("os.version"));
        f.add("Kernel selection (environment the launcher set): OPENBLAS_CORETYPE=" + env("OPENBLAS_CORETYPE")
                + ", OMP_NUM_THREADS=" + env("OMP_NUM_THREADS") + ", OMP_WAIT_POLICY=" + env("OMP_WAIT_POLICY")
                + ", OPENBLAS_THREAD_TIMEOUT=" + env("OPENBLAS_THREAD_TIMEOUT")
                + " (the machine-limit section reports what the loaded OpenBLAS actually runs)");
        return f;
    }

    static String env(String name) {
        String v = System.getenv(name);
        return v == null ? "unset" : v;
    }

    static String cpuModel() {
        return cpuinfo("model name");
    }

    static String cpuFlags() {
        return " " + cpuinfo("flags") + " ";
    }

    private static String cpuinfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(java.util.Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return "unknown";
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Resident set size of a process in kB (VmRSS), or -1 when it cannot be read. */
    static long rssKb(long pid) {
        return statusKb(pid, "VmRSS:");
    }

    /** Peak resident set size of a process in kB (VmHWM), or -1. */
    static long peakRssKb(long pid) {
        return statusKb(pid, "VmHWM:");
    }

    private static long statusKb(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    static String gitCommit(Path repo) {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").directory(repo.toFile())
                    .redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
