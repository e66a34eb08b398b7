package dev.bertj.plugins;

import static dev.bertj.plugins.RuntimeSupport.greet;
import static dev.bertj.plugins.RuntimeSupport.state;
import static dev.bertj.plugins.testing.Fixtures.await;
import static dev.bertj.plugins.testing.Fixtures.drop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bertj.plugins.RuntimeSupport.Recorder;
import dev.bertj.plugins.testing.Fixtures;
import dev.bertj.plugins.testing.Greeter;
import dev.bertj.plugins.testing.Journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken, incompatible, failing and hanging plugins are refused or isolated; the others keep answering. */
class PluginFaultsTest {

    @TempDir
    Path dropIn;
    @TempDir
    Path work;

    @Test
    void eachBadJarDroppedIntoARunningHostIsRefusedWithAClearReasonWhileOthersKeepAnswering() throws Exception {
        drop(Fixtures.echo(), dropIn, "echo.jar");
        Map<String, Path> bad = Map.of(
                "broken.jar", Fixtures.brokenManifest(),
                "bare.jar", Fixtures.noManifest(),
                "future.jar", Fixtures.incompatible(),
                "ghost.jar", Fixtures.missingClass(),
                "impostor.jar", Fixtures.notAGreeter(),
                "silent.jar", Fixtures.noProvider(),
                "grumpy.jar", Fixtures.startThrows());
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
            for (Map.Entry<String, Path> e : bad.entrySet()) {
                drop(e.getValue(), dropIn, e.getKey());
            }
            Files.write(dropIn.resolve("garbage.jar"), "this is not a zip file".getBytes());
            await("all refused", () -> runtime.plugins().stream()
                    .filter(s -> s.state() == PluginState.FAILED).count() == bad.size() + 1);
            assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
            assertThat(runtime.activeProviders()).containsOnlyKeys("echo");

            assertThat(reason(runtime, "broken.jar")).isEqualTo("invalid plugin manifest: header Bertj-Plugin-Version"
                    + " has an invalid value '1.x': '1.x' is not a version ('x' is not a non-negative integer):"
                    + " expected major[.minor[.micro[.qualifier]]] with non-negative integers and a qualifier of"
                    + " letters, digits, '_' or '-', e.g. 1.2.0; header Bertj-Plugin-Requires is missing");
            assertThat(runtime.plugin("broken").orElseThrow().state()).isEqualTo(PluginState.FAILED);
            assertThat(reason(runtime, "bare.jar")).startsWith("invalid plugin manifest: the jar has no"
                    + " META-INF/MANIFEST.MF");
            assertThat(reason(runtime, "future.jar")).isEqualTo("requires core API [2.0.0,3.0.0) (header"
                    + " Bertj-Plugin-Requires) but this host provides core API 1.0.0");
            assertThat(reason(runtime, "ghost.jar")).startsWith("cannot load its providers of "
                    + Greeter.class.getName()).contains("Provider acme.ghost.MissingGreeter not found");
            assertThat(reason(runtime, "impostor.jar")).contains("acme.impostor.Impostor")
                    .contains("not a subtype");
            assertThat(reason(runtime, "silent.jar")).isEqualTo("the jar registers no provider of "
                    + Greeter.class.getName() + ": expected META-INF/services/" + Greeter.class.getName()
                    + " naming a public class with a public no-argument constructor");
            assertThat(reason(runtime, "grumpy.jar")).isEqualTo("start failed: java.lang.IllegalStateException:"
                    + " no licence key configured");
            assertThat(reason(runtime, "garbage.jar")).startsWith("not a readable jar file: java.util.zip");

            assertThatThrownBy(() -> greet(runtime, "grumpy"))
                    .isInstanceOfSatisfying(PluginCallException.class,
                            e -> assertThat(e.kind()).isEqualTo(PluginCallException.Kind.NOT_ACTIVE))
                    .hasMessage("plugin grumpy is not active (grumpy@1.0.0 is FAILED: start failed:"
                            + " java.lang.IllegalStateException: no licence key configured)");

            // A fixed jar dropped over a broken one replaces it.
            drop(Fixtures.hello("1.0.0"), dropIn, "broken.jar");
            await("fixed", () -> state(runtime, "hello") == PluginState.ACTIVE);
            assertThat(runtime.plugin("broken")).isEmpty();
            assertThat(greet(runtime, "hello")).isEqualTo("hello bert from 1.0.0");
        }
    }

    @Test
    void aCallThatThrowsIsReportedNamingThePluginAndCounted() throws Exception {
        Recorder events = new Recorder();
        drop(Fixtures.echo(), dropIn, "echo.jar");
        drop(Fixtures.callThrows(), dropIn, "faulty.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).listener(events).build()) {
            runtime.start();
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> greet(runtime, "faulty"))
                        .isInstanceOfSatisfying(PluginCallException.class, e -> {
                            assertThat(e.kind()).isEqualTo(PluginCallException.Kind.FAILED);
                            assertThat(e.pluginId()).isEqualTo("faulty");
                            assertThat(e.version()).isEqualTo(Version.parse("1.0.0"));
                            assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
                        })
                        .hasMessage("plugin faulty@1.0.0: call threw java.lang.IllegalArgumentException: cannot greet"
                                + " bert");
                assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
            }
            PluginStatus faulty = runtime.plugin("faulty").orElseThrow();
            assertThat(faulty.state()).isEqualTo(PluginState.ACTIVE); // isolated, not unloaded: the host decides
            assertThat(faulty.calls()).isEqualTo(3);
            assertThat(faulty.failedCalls()).isEqualTo(3);
            assertThat(faulty.timedOutCalls()).isZero();
            assertThat(faulty.lastCallFailure()).contains("cannot greet bert");
            assertThat(runtime.plugin("echo").orElseThrow().failedCalls()).isZero();
            assertThat(runtime.plugin("echo").orElseThrow().calls()).isEqualTo(3);
            assertThat(events.of("faulty")).filteredOn("CALL_FAILED"::equals).hasSize(3);
        }
    }

    /** A plugin's exception may quote its argument (a service's request text): the log names the plugin only. */
    @Test
    void aFailedCallIsLoggedWithoutItsMessage() throws Exception {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(PluginRuntime.class.getName());
        java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        drop(Fixtures.callThrows(), dropIn, "faulty.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            assertThatThrownBy(() -> greet(runtime, "faulty")).hasMessageContaining("cannot greet bert");
        } finally {
            log.removeHandler(capture);
        }
        java.util.logging.Formatter format = new java.util.logging.SimpleFormatter();
        assertThat(records).extracting(format::formatMessage)
                .contains("plugin faulty@1.0.0: call failed (FAILED, java.lang.IllegalArgumentException)")
                .noneMatch(m -> m.contains("cannot greet"));
        assertThat(records).allMatch(r -> r.getThrown() == null);
    }

    @Test
    void aCallThatHangsIsCancelledAtItsTimeoutAndTheCallerGetsAClearError() throws Exception {
        drop(Fixtures.echo(), dropIn, "echo.jar");
        drop(Fixtures.callHangs(), dropIn, "hangs.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> runtime.call("hangs", g -> g.greet("bert"), Duration.ofMillis(200)))
                    .isInstanceOfSatisfying(PluginCallException.class,
                            e -> assertThat(e.kind()).isEqualTo(PluginCallException.Kind.TIMED_OUT))
                    .hasMessage("plugin hangs@1.0.0: call did not finish within 200 ms and was cancelled");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
            // The hanging sleep was interrupted, so the call thread and the plugin's call slot are free again.
            await("slot released", () -> runtime.plugin("hangs").orElseThrow().callsInFlight() == 0);
            PluginStatus hangs = runtime.plugin("hangs").orElseThrow();
            assertThat(hangs.timedOutCalls()).isEqualTo(1);
            assertThat(hangs.failedCalls()).isEqualTo(1);
        }
    }

    @Test
    void callsThatIgnoreInterruptionUseUpOnlyTheirPluginsSlots() throws Exception {
        drop(Fixtures.echo(), dropIn, "echo.jar");
        drop(Fixtures.callIgnoresInterrupts(), dropIn, "stubborn.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            Duration brief = Duration.ofMillis(300);
            // Two calls (the per-plugin limit) time out but keep running: the plugin's slots are taken.
            CompletableFuture<Throwable> first = failureOf(() -> runtime.call("stubborn", g -> g.greet("a"), brief));
            CompletableFuture<Throwable> second = failureOf(() -> runtime.call("stubborn", g -> g.greet("b"), brief));
            assertThat(first.get()).isInstanceOfSatisfying(PluginCallException.class,
                    e -> assertThat(e.kind()).isEqualTo(PluginCallException.Kind.TIMED_OUT));
            assertThat(second.get()).isInstanceOfSatisfying(PluginCallException.class,
                    e -> assertThat(e.kind()).isEqualTo(PluginCallException.Kind.TIMED_OUT));
            assertThat(runtime.plugin("stubborn").orElseThrow().callsInFlight()).isEqualTo(2);

            assertThatThrownBy(() -> runtime.call("stubborn", g -> g.greet("c"), brief))
                    .isInstanceOfSatisfying(PluginCallException.class,
                            e -> assertThat(e.kind()).isEqualTo(PluginCallException.Kind.REJECTED))
                    .hasMessage("plugin stubborn@1.0.0: refused: 2 calls already in flight for 300 ms (earlier calls"
                            + " may hang)");
            // The other plugin is untouched: the pool still has threads for it.
            for (int i = 0; i < 5; i++) {
                assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
            }
            // Once the stuck calls end, the plugin answers again.
            await("stuck calls ended", () -> runtime.plugin("stubborn").orElseThrow().callsInFlight() == 0);
            String late = runtime.call("stubborn", g -> g.greet("d"), Duration.ofSeconds(5));
            assertThat(late).isEqualTo("late d");
            PluginStatus stubborn = runtime.plugin("stubborn").orElseThrow();
            assertThat(stubborn.calls()).isEqualTo(4);
            assertThat(stubborn.failedCalls()).isEqualTo(3);
            assertThat(stubborn.timedOutCalls()).isEqualTo(2);
        }
    }

    @Test
    void aStartHookThatHangsFailsThePluginAfterTheLifecycleTimeout() throws Exception {
        drop(Fixtures.echo(), dropIn, "echo.jar");
        drop(Fixtures.startHangs(), dropIn, "sleepy.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work)
                .lifecycleTimeout(Duration.ofMillis(300)).build()) {
            runtime.start();
            assertThat(runtime.plugin("sleepy").orElseThrow().reason())
                    .isEqualTo("start did not finish within 300 ms (interrupted)");
            assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
        }
    }

    @Test
    void startAndStopHooksRunWithThePluginsContextClassLoader() throws Exception {
        Journal.clear();
        drop(Fixtures.withHooks(), dropIn, "hooks.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            assertThat(Journal.entries()).containsExactly("start bertj-plugin:hooks@1.0.0");
            assertThat(greet(runtime, "hooks")).isEqualTo("hooked bert");
            Files.delete(dropIn.resolve("hooks.jar"));
            await("stopped", () -> runtime.plugin("hooks").isEmpty());
            assertThat(Journal.entries()).containsExactly("start bertj-plugin:hooks@1.0.0", "stop");
        }
    }

    @Test
    void callArgumentsAreChecked() throws Exception {
        drop(Fixtures.echo(), dropIn, "echo.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            assertThatThrownBy(() -> runtime.call("echo", g -> g.greet("x"), Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must be positive");
            Greeter foreign = name -> "not a plugin";
            assertThatThrownBy(() -> runtime.call("echo", foreign, g -> g.greet("x"), RuntimeSupport.CALL))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("echo@1.0.0");
            Greeter own = runtime.providers("echo").get(0);
            String answer = runtime.call("echo", own, g -> g.greet("x"), RuntimeSupport.CALL);
            assertThat(answer).isEqualTo("echo x");
        }
        assertThatThrownBy(() -> RuntimeSupport.builder(dropIn, work).callThreads(4).maxConcurrentCallsPerPlugin(4)
                .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be below");
        assertThatThrownBy(() -> RuntimeSupport.builder(dropIn, dropIn.resolve("work")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not contain each other");
    }

    private static String reason(PluginRuntime<Greeter> runtime, String fileName) {
        return runtime.plugins().stream().filter(s -> s.source().endsWith("/" + fileName)).findFirst()
                .orElseThrow(() -> new AssertionError("no plugin from " + fileName + " in " + runtime.plugins()))
                .reason();
    }

    private interface Call {
        Object run() throws Exception;
    }

    /** Runs {@code call} on another thread and yields what it threw (or null). */
    private static CompletableFuture<Throwable> failureOf(Call call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                call.run();
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
    }

}
