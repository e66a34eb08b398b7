package dev.bertj.core.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Chooses the CPU kernels before ND4J, OpenBLAS and libgomp load, so that users get the fast path without
 * knowing any of this (see docs/engine.md):
 * <ul>
 *   <li>{@code OPENBLAS_CORETYPE}: OpenBLAS 0.3.19 (the one ND4J 1.0.0-M2.1 ships) does not recognise recent CPUs
 *       and falls back to an SSE kernel about 4x slower. We pick {@code SkylakeX} when the CPU has AVX-512
 *       F+BW+VL and {@code Haswell} when it has AVX2+FMA; otherwise we leave OpenBLAS to its own detection.</li>
 *   <li>{@code OMP_WAIT_POLICY=PASSIVE}: libgomp's default busy-wait makes a shared machine 5-10x slower.</li>
 *   <li>{@code OMP_NUM_THREADS} = the number of cores (OpenBLAS reads it too).</li>
 *   <li>{@code OPENBLAS_THREAD_TIMEOUT=10}: OpenBLAS's own worker threads otherwise spin for 2^28 cycles (~0.1 s)
 *       after every GEMM, taking a core from the Java loops that run between GEMMs; 2^10 cycles lets them sleep
 *       almost at once.</li>
 * </ul>
 * A variable the user has set is never changed. The values go into the process environment through libc's
 * {@code setenv} (JNA), because the native libraries read them when they load and Java cannot change its own
 * environment.
 *
 * <p>It cannot be forgotten: {@link #ensure()} is called by every engine entry point, by
 * {@link CpuSetupBackend} (which ND4J instantiates while it looks for backends, before it loads any native
 * code), and by a JUnit session listener in the tests. {@link #report()} tells what the loaded OpenBLAS
 * actually uses.
 */
public final class CpuSetup {

    private static final System.Logger LOG = System.getLogger("dev.bertj.engine");

    /** What was chosen, and why. */
    public record Choice(String openblasCoretype, String coretypeReason, String ompWaitPolicy, String ompNumThreads,
                         String openblasThreadTimeout, boolean appliedBeforeNativeLoad, String problem) {
        @Override
        public String toString() {
            return "OPENBLAS_CORETYPE=" + (openblasCoretype == null ? "(OpenBLAS default)" : openblasCoretype)
                    + " (" + coretypeReason + "), OMP_WAIT_POLICY=" + ompWaitPolicy + ", OMP_NUM_THREADS="
                    + ompNumThreads + ", OPENBLAS_THREAD_TIMEOUT=" + openblasThreadTimeout
                    + (problem == null ? "" : "; " + problem);
        }
    }

    /** What the loaded OpenBLAS reports about itself, and whether the SIMD Java kernels run. */
    public record Report(Choice choice, String openblasCore, int openblasThreads, String openblasConfig,
                         boolean vectorKernels) {
        @Override
        public String toString() {
            return "OpenBLAS kernel " + openblasCore + ", " + openblasThreads + " threads [" + openblasConfig + "]; "
                    + choice + "; Java kernels " + (vectorKernels ? "SIMD (jdk.incubator.vector)"
                    : "scalar (run with --add-modules jdk.incubator.vector for SIMD)");
        }
    }

    private static volatile Choice choice;
    private static volatile Report report;

    private CpuSetup() {
    }

    /** Applies the choice once per process (cheap after the first call). */
    public static Choice ensure() {
        Choice c = choice;
        if (c != null) {
            return c;
        }
        synchronized (CpuSetup.class) {
            if (choice == null) {
                choice = apply();
            }
            return choice;
        }
    }

    /** The choice made, applying it first if needed. */
    public static Choice choice() {
        return ensure();
    }

    /**
     * Asks the loaded OpenBLAS which kernel and how many threads it uses; logs it once. Call after ND4J has
     * loaded (the engine does). Warns when the kernel differs from the choice: the variables came too late.
     */
    public static Report report() {
        Report r = report;
        if (r != null) {
            return r;
        }
        synchronized (CpuSetup.class) {
            if (report == null) {
                Choice c = ensure();
                report = queryOpenBlas(c);
                if (c.openblasCoretype() != null && !c.openblasCoretype().equalsIgnoreCase(report.openblasCore())) {
                    LOG.log(System.Logger.Level.WARNING, "bertj: OpenBLAS runs the " + report.openblasCore()
                            + " kernel, not " + c.openblasCoretype() + ": the native libraries were loaded before "
                            + "CpuSetup ran. Set OPENBLAS_CORETYPE=" + c.openblasCoretype()
                            + " OMP_WAIT_POLICY=PASSIVE in the environment, or call CpuSetup.ensure() first.");
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "bertj CPU setup: " + report);
                }
            }
            return report;
        }
    }

    /** The decision, as a pure function of the CPU flags, the environment and the core count (for tests). */
    static Choice decide(Set<String> cpuFlags, Function<String, String> env, int cores) {
        String userCore = env.apply("OPENBLAS_CORETYPE");
        String core;
        String reason;
        if (userCore != null && !userCore.isBlank()) {
            core = userCore;
            reason = "set by the user";
        } else if (cpuFlags.containsAll(Set.of("avx512f", "avx512bw", "avx512vl"))) {
            core = "SkylakeX";
            reason = "CPU has avx512f, avx512bw, avx512vl";
        } else if (cpuFlags.containsAll(Set.of("avx2", "fma"))) {
            core = "Haswell";
            reason = "CPU has avx2, fma";
        } else {
            core = null;
            reason = cpuFlags.isEmpty() ? "CPU flags unknown" : "CPU has neither AVX-512 nor AVX2+FMA";
        }
        String wait = env.apply("OMP_WAIT_POLICY");
        String threads = env.apply("OMP_NUM_THREADS");
        String timeout = env.apply("OPENBLAS_THREAD_TIMEOUT");
        return new Choice(core, reason, wait == null || wait.isBlank() ? "PASSIVE" : wait,
                threads == null || threads.isBlank() ? Integer.toString(Math.max(1, cores)) : threads,
                timeout == null || timeout.isBlank() ? "10" : timeout, true, null);
    }

    private static Choice apply() {
        if (!isLinuxX86()) {
            return new Choice(null, "not Linux x86-64", String.valueOf(System.getenv("OMP_WAIT_POLICY")),
                    String.valueOf(System.getenv("OMP_NUM_THREADS")), String.valueOf(System.getenv("OPENBLAS_THREAD_TIMEOUT")),
                    false, "no kernel selection on this platform");
        }
        LibC libc;
        try {
            libc = Native.load("c", LibC.class);
        } catch (Throwable t) {
            String problem = "cannot call libc setenv through JNA (" + t + "); set OPENBLAS_CORETYPE, "
                    + "OMP_WAIT_POLICY=PASSIVE and OMP_NUM_THREADS yourself";
            LOG.log(System.Logger.Level.WARNING, "bertj: " + problem);
            return new Choice(System.getenv("OPENBLAS_CORETYPE"), "unchanged", System.getenv("OMP_WAIT_POLICY"),
                    System.getenv("OMP_NUM_THREADS"), System.getenv("OPENBLAS_THREAD_TIMEOUT"), false, problem);
        }
        Choice c = decide(cpuFlags(), libc::getenv, Runtime.getRuntime().availableProcessors());
        boolean early = !nativeBlasLoaded();
        set(libc, "OPENBLAS_CORETYPE", c.openblasCoretype());
        set(libc, "OMP_WAIT_POLICY", c.ompWaitPolicy());
        set(libc, "OMP_NUM_THREADS", c.ompNumThreads());
        set(libc, "OPENBLAS_THREAD_TIMEOUT", c.openblasThreadTimeout());
        String problem = early ? null : "native libraries already loaded: the settings may not take effect";
        if (!early) {
            LOG.log(System.Logger.Level.WARNING, "bertj: " + problem);
        }
        return new Choice(c.openblasCoretype(), c.coretypeReason(), c.ompWaitPolicy(), c.ompNumThreads(),
                c.openblasThreadTimeout(), early, problem);
    }

    private static void set(LibC libc, String name, String value) {
        if (value != null && libc.getenv(name) == null) {
            libc.setenv(name, value, 0);
        }
    }

    /** The CPU's feature flags from /proc/cpuinfo (empty when unknown). */
    static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    return new HashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read /proc/cpuinfo: " + e);
        }
        return Set.of();
    }

    private static boolean isLinuxX86() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /** True when ND4J or OpenBLAS native code is already in the process (JavaCPP's record of what it loaded). */
    private static boolean nativeBlasLoaded() {
        try {
            return loadedLibraries().keySet().stream().anyMatch(k -> k.contains("openblas") || k.contains("nd4j"));
        } catch (Throwable t) {
            return false;
        }
    }

    private static Map<String, String> loadedLibraries() {
        return org.bytedeco.javacpp.Loader.getLoadedLibraries();
    }

    /** Loads the OpenBLAS the engine calls (if nothing has yet) and asks it what it runs. */
    private static Report queryOpenBlas(Choice c) {
        boolean vector = dev.bertj.core.nn.Kernels.VECTOR;
        try {
            org.bytedeco.javacpp.Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
            for (Map.Entry<String, String> e : loadedLibraries().entrySet()) {
                if (e.getKey().startsWith("openblas_nolapack")) {
                    NativeLibrary lib = NativeLibrary.getInstance(e.getValue());
                    String core = lib.getFunction("openblas_get_corename").invokeString(new Object[0], false);
                    int threads = lib.getFunction("openblas_get_num_threads").invokeInt(new Object[0]);
                    String config = lib.getFunction("openblas_get_config").invokeString(new Object[0], false);
                    return new Report(c, core, threads, config, vector);
                }
            }
            return new Report(c, "(OpenBLAS not found among the loaded libraries)", 0, "", vector);
        } catch (Throwable t) {
            return new Report(c, "(unknown: " + t.getMessage() + ")", 0, "", vector);
        }
    }

    /** The two libc calls we need. */
    public interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }
}
