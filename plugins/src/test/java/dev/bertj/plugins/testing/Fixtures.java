package dev.bertj.plugins.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The fixture plugin jars, each compiled and packed once per test JVM (compiling is the expensive part) and copied
 * into a test's drop-in directory when it needs one.
 */
public final class Fixtures {

    public static final String RANGE = "[1.0,2.0)";

    private static final Path ROOT;
    private static final Map<String, Path> BUILT = new HashMap<>();

    static {
        try {
            ROOT = Files.createTempDirectory("bertj-plugin-fixtures-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> walk = Files.walk(ROOT)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // Best effort: a temp directory.
            }
        }));
    }

    private Fixtures() {
    }

    /** {@code hello} in the given version: answers "hello NAME from VERSION". */
    public static Path hello(String version) {
        return hello(version, RANGE);
    }

    /** {@code hello} in the given version, requiring the given core API range. */
    public static Path hello(String version, String requires) {
        return jar("hello-" + version + "-" + requires.replaceAll("[^0-9.]", "_"),
                () -> PluginJarBuilder.plugin("hello", version, requires)
                        .greeter("acme.hello.HelloGreeter", "return \"hello \" + name + \" from " + version + "\";"));
    }

    /** {@code echo} 1.0.0: answers "echo NAME"; the plugin that keeps answering while others fail. */
    public static Path echo() {
        return jar("echo-1.0.0", () -> PluginJarBuilder.plugin("echo", "1.0.0", RANGE)
                .header("Bertj-Plugin-Vendor", "Echo & Sons")
                .greeter("acme.echo.EchoGreeter", "return \"echo \" + name;"));
    }

    /** Version "1.x" (not a version) and no Requires header. */
    public static Path brokenManifest() {
        return jar("broken-manifest", () -> PluginJarBuilder.plugin("broken", "1.x", RANGE)
                .withoutHeader("Bertj-Plugin-Requires")
                .greeter("acme.broken.BrokenGreeter", "return \"never\";"));
    }

    /** A jar without any manifest. */
    public static Path noManifest() {
        return jar("no-manifest", () -> PluginJarBuilder.withoutHeaders().noManifest()
                .greeter("acme.bare.BareGreeter", "return \"never\";"));
    }

    /** Needs core API 2.x. */
    public static Path incompatible() {
        return jar("future-1.0.0", () -> PluginJarBuilder.plugin("future", "1.0.0", "[2.0,3.0)")
                .greeter("acme.future.FutureGreeter", "return \"never\";"));
    }

    /** Registers a provider class that is not in the jar. */
    public static Path missingClass() {
        return jar("ghost-1.0.0", () -> PluginJarBuilder.plugin("ghost", "1.0.0", RANGE)
                .source("acme.ghost.Helper", "package acme.ghost; public class Helper {}")
                .greeters("acme.ghost.MissingGreeter"));
    }

    /** Registers a class that does not implement Greeter. */
    public static Path notAGreeter() {
        return jar("impostor-1.0.0", () -> PluginJarBuilder.plugin("impostor", "1.0.0", RANGE)
                .source("acme.impostor.Impostor", "package acme.impostor; public class Impostor {}")
                .greeters("acme.impostor.Impostor"));
    }

    /** A valid manifest and classes, but no META-INF/services registration. */
    public static Path noProvider() {
        return jar("silent-1.0.0", () -> PluginJarBuilder.plugin("silent", "1.0.0", RANGE)
                .source("acme.silent.SilentGreeter", "package acme.silent; public class SilentGreeter implements "
                        + Greeter.class.getName() + " { public String greet(String n) { return n; } }"));
    }

    /** Its start hook throws. */
    public static Path startThrows() {
        return jar("grumpy-1.0.0", () -> PluginJarBuilder.plugin("grumpy", "1.0.0", RANGE)
                .source("acme.grumpy.GrumpyGreeter", lifecycleGreeter("acme.grumpy", "GrumpyGreeter",
                        "throw new IllegalStateException(\"no licence key configured\");", "", "return \"hi\";"))
                .greeters("acme.grumpy.GrumpyGreeter"));
    }

    /** Its start hook never returns (until interrupted). */
    public static Path startHangs() {
        return jar("sleepy-1.0.0", () -> PluginJarBuilder.plugin("sleepy", "1.0.0", RANGE)
                .source("acme.sleepy.SleepyGreeter", lifecycleGreeter("acme.sleepy", "SleepyGreeter",
                        "Thread.sleep(600_000);", "", "return \"hi\";"))
                .greeters("acme.sleepy.SleepyGreeter"));
    }

    /** Start and stop hooks that write to the {@link Journal}. */
    public static Path withHooks() {
        return jar("hooks-1.0.0", () -> PluginJarBuilder.plugin("hooks", "1.0.0", RANGE)
                .source("acme.hooks.HookedGreeter", lifecycleGreeter("acme.hooks", "HookedGreeter",
                        Journal.class.getName() + ".record(\"start \" + "
                                + "Thread.currentThread().getContextClassLoader().getName());",
                        Journal.class.getName() + ".record(\"stop\");", "return \"hooked \" + name;"))
                .greeters("acme.hooks.HookedGreeter"));
    }

    /** Every call throws. */
    public static Path callThrows() {
        return jar("faulty-1.0.0", () -> PluginJarBuilder.plugin("faulty", "1.0.0", RANGE)
                .greeter("acme.faulty.FaultyGreeter", "throw new IllegalArgumentException(\"cannot greet \" + name);"));
    }

    /** Every call sleeps (interruptibly) for ten minutes. */
    public static Path callHangs() {
        return jar("hangs-1.0.0", () -> PluginJarBuilder.plugin("hangs", "1.0.0", RANGE)
                .greeter("acme.hangs.HangingGreeter", "Thread.sleep(600_000); return \"never\";"));
    }

    /** Every call takes 3 s and ignores interruption, like code stuck in I/O that cannot be cancelled. */
    public static Path callIgnoresInterrupts() {
        return jar("stubborn-1.0.0", () -> PluginJarBuilder.plugin("stubborn", "1.0.0", RANGE)
                .greeter("acme.stubborn.StubbornGreeter", """
                        long end = System.nanoTime() + 3_000_000_000L;
                        while (System.nanoTime() < end) {
                            try { Thread.sleep(Math.max(1, (end - System.nanoTime()) / 1_000_000)); }
                            catch (InterruptedException ignored) { }
                        }
                        return "late " + name;"""));
    }

    /**
     * Plugin {@code id} whose provider is the class {@code shared.Impl}, the same name in every such jar, with a
     * static counter: answers "ID call N".
     */
    public static Path sameClassName(String id) {
        return jar("same-" + id, () -> PluginJarBuilder.plugin(id, "1.0.0", RANGE)
                .source("shared.Impl", "package shared; public class Impl implements " + Greeter.class.getName()
                        + " { static int calls; public String greet(String n) { return \"" + id
                        + " call \" + (++calls); } }")
                .greeters("shared.Impl"));
    }

    /** {@code lazy} 1.0.0 with a second class that nothing loads until asked, to see the loader closed. */
    public static Path withLazyClass() {
        return jar("lazy-1.0.0", () -> PluginJarBuilder.plugin("lazy", "1.0.0", RANGE)
                .source("acme.lazy.Later", "package acme.lazy; public class Later {}")
                .greeter("acme.lazy.LazyGreeter", "return \"lazy \" + name;"));
    }

    /** Copies fixture {@code jar} into {@code directory} as {@code name}, atomically (write aside, then rename). */
    public static Path drop(Path jar, Path directory, String name) throws IOException {
        Path aside = directory.resolve("." + name + ".tmp");
        Files.copy(jar, aside, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(aside, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Waits up to 10 s for {@code condition}; fails with {@code what} otherwise. */
    public static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }

    private static String lifecycleGreeter(String pkg, String cls, String start, String stop, String greet) {
        return "package " + pkg + ";\n"
                + "public class " + cls + " implements " + Greeter.class.getName() + ", "
                + "dev.bertj.core.spi.PluginLifecycle {\n"
                + "  public void start() throws Exception { " + start + " }\n"
                + "  public void stop() throws Exception { " + stop + " }\n"
                + "  public String greet(String name) throws Exception { " + greet + " }\n"
                + "}\n";
    }

    private interface Recipe {
        PluginJarBuilder builder();
    }

    private static synchronized Path jar(String name, Recipe recipe) {
        return BUILT.computeIfAbsent(name, n -> {
            try {
                return recipe.builder().writeTo(ROOT.resolve(n + ".jar"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
