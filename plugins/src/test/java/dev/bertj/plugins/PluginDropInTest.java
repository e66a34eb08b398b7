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

import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins arriving, leaving and being replaced in the watched directory of a running runtime, and via the API. */
class PluginDropInTest {

    @TempDir
    Path dropIn;
    @TempDir
    Path work;

    @Test
    void jarDroppedIntoRunningRuntimeIsActivatedAnswersAndRemovingItDeactivatesIt() throws Exception {
        Recorder events = new Recorder();
        drop(Fixtures.echo(), dropIn, "echo.jar");
        // A listener that throws is registered first: it must not break the runtime nor starve the next listener.
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work)
                .listener(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(events).build()) {
            runtime.start();
            assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
            assertThat(runtime.plugin("hello")).isEmpty();

            Path jar = drop(Fixtures.hello("1.0.0"), dropIn, "hello.jar");
            await("hello active", () -> state(runtime, "hello") == PluginState.ACTIVE);
            assertThat(greet(runtime, "hello")).isEqualTo("hello bert from 1.0.0");
            PluginStatus status = runtime.plugin("hello").orElseThrow();
            assertThat(status.version()).isEqualTo(Version.parse("1.0.0"));
            assertThat(status.source()).isEqualTo(jar.toAbsolutePath().normalize().toString());
            assertThat(status.builtIn()).isFalse();
            assertThat(status.selected()).isTrue();
            assertThat(status.selection()).isEqualTo("selected: the only usable version [1.0.0]");
            assertThat(status.description()).isEqualTo("test plugin hello 1.0.0");
            assertThat(status.requires()).isEqualTo(VersionRange.parse(Fixtures.RANGE));
            assertThat(status.providers()).containsExactly("acme.hello.HelloGreeter");
            assertThat(runtime.activeProviders()).containsOnlyKeys("echo", "hello");
            assertThat(runtime.plugin("echo").orElseThrow().vendor()).isEqualTo("Echo & Sons");

            Files.delete(jar);
            await("hello gone", () -> runtime.plugin("hello").isEmpty());
            assertThatThrownBy(() -> greet(runtime, "hello"))
                    .isInstanceOfSatisfying(PluginCallException.class, e -> {
                        assertThat(e.kind()).isEqualTo(PluginCallException.Kind.NOT_ACTIVE);
                        assertThat(e.pluginId()).isEqualTo("hello");
                    })
                    .hasMessage("plugin hello is not active (no plugin with this id is installed)");
            assertThat(greet(runtime, "echo")).isEqualTo("echo bert");

            // Every transition, in order, reached the second listener despite the first one throwing.
            assertThat(events.of("hello")).containsExactly("null->INSTALLED", "INSTALLED->RESOLVED", "SELECTED",
                    "RESOLVED->ACTIVE", "ACTIVE->STOPPED", "STOPPED->UNINSTALLED");
            assertThat(events.of("echo")).containsExactly("null->INSTALLED", "INSTALLED->RESOLVED", "SELECTED",
                    "RESOLVED->ACTIVE");
        }
        assertThat(events.of("echo")).endsWith("ACTIVE->STOPPED", "STOPPED->UNINSTALLED");
    }

    @Test
    void replacedJarIsReinstalled() throws Exception {
        Recorder events = new Recorder();
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).listener(events).build()) {
            runtime.start();
            drop(Fixtures.hello("1.0.0"), dropIn, "hello.jar");
            await("1.0.0 answers", () -> state(runtime, "hello") == PluginState.ACTIVE);
            assertThat(greet(runtime, "hello")).isEqualTo("hello bert from 1.0.0");

            drop(Fixtures.hello("1.2.0"), dropIn, "hello.jar");
            await("1.2.0 active", () -> runtime.plugin("hello").map(s -> s.version().equals(Version.parse("1.2.0"))
                    && s.state() == PluginState.ACTIVE).orElse(false));
            assertThat(greet(runtime, "hello")).isEqualTo("hello bert from 1.2.0");
            assertThat(runtime.plugins()).extracting(PluginStatus::id).containsExactly("hello");
            // The new jar was resolved before the old one stopped; then the old one went away and the new one started.
            assertThat(events.of("hello")).containsExactly(
                    "null->INSTALLED", "INSTALLED->RESOLVED", "SELECTED", "RESOLVED->ACTIVE", // 1.0.0
                    "null->INSTALLED", "INSTALLED->RESOLVED", // 1.2.0
                    "ACTIVE->STOPPED", "STOPPED->UNINSTALLED", // 1.0.0
                    "SELECTED", "RESOLVED->ACTIVE"); // 1.2.0
        }
    }

    @Test
    void ofTwoVersionsTheHighestCompatibleWinsAndTheChoiceIsReported() throws Exception {
        Recorder events = new Recorder();
        drop(Fixtures.hello("1.0.0"), dropIn, "hello-1.0.0.jar");
        Path newest = drop(Fixtures.hello("1.2.0"), dropIn, "hello-1.2.0.jar");
        drop(Fixtures.hello("1.5.0", "[2.0,3.0)"), dropIn, "hello-1.5.0.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).listener(events).build()) {
            runtime.start();
            assertThat(greet(runtime, "hello")).isEqualTo("hello bert from 1.2.0");
            PluginStatus v10 = version(runtime, "1.0.0");
            PluginStatus v12 = version(runtime, "1.2.0");
            PluginStatus v15 = version(runtime, "1.5.0");
            assertThat(v12.state()).isEqualTo(PluginState.ACTIVE);
            assertThat(v12.selected()).isTrue();
            assertThat(v12.selection()).isEqualTo(
                    "selected: highest of 2 usable versions [1.2.0, 1.0.0]; not usable: [1.5.0 (failed)]");
            assertThat(v10.state()).isEqualTo(PluginState.RESOLVED);
            assertThat(v10.selected()).isFalse();
            assertThat(v10.selection()).startsWith("not selected: 1.2.0 is newer");
            assertThat(v15.state()).isEqualTo(PluginState.FAILED);
            assertThat(v15.reason()).isEqualTo("requires core API [2.0.0,3.0.0) (header Bertj-Plugin-Requires) but"
                    + " this host provides core API 1.0.0");
            assertThat(runtime.plugin("hello").orElseThrow().version()).isEqualTo(Version.parse("1.2.0"));
            // The choice is an event too, and the lower version was never started just to be stopped again.
            assertThat(events.ofType(PluginEvent.Type.SELECTED)).singleElement()
                    .satisfies(e -> assertThat(e.version()).isEqualTo(Version.parse("1.2.0")))
                    .satisfies(e -> assertThat(e.message()).isEqualTo(v12.selection()));
            assertThat(events.events()).noneMatch(e -> Version.parse("1.0.0").equals(e.version())
                    && e.to() == PluginState.ACTIVE);

            // The winner goes away: the other version takes over.
            Files.delete(newest);
            await("1.0.0 takes over", () -> version(runtime, "1.0.0").state() == PluginState.ACTIVE);
            assertThat(greet(runtime, "hello")).isEqualTo("hello bert from 1.0.0");
            assertThat(version(runtime, "1.0.0").selection()).startsWith("selected: the only usable version [1.0.0]");

            // A newer one comes back: the active one is stopped and the newer one serves.
            drop(Fixtures.hello("1.2.0"), dropIn, "hello-1.2.0.jar");
            await("1.2.0 back", () -> runtime.plugins().stream().anyMatch(s -> s.state() == PluginState.ACTIVE
                    && Version.parse("1.2.0").equals(s.version())));
            assertThat(greet(runtime, "hello")).isEqualTo("hello bert from 1.2.0");
            assertThat(version(runtime, "1.0.0").state()).isEqualTo(PluginState.STOPPED);
            assertThat(version(runtime, "1.0.0").selected()).isFalse();
        }
    }

    @Test
    void apiInstallCopiesTheJarSoTheOriginalCanGoAndUninstallClosesTheLoader() throws Exception {
        Path elsewhere = Files.createTempDirectory("bertj-install-");
        Path original = Files.copy(Fixtures.withLazyClass(), elsewhere.resolve("lazy.jar"));
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            PluginStatus installed = runtime.install(original);
            assertThat(installed.state()).isEqualTo(PluginState.ACTIVE);
            assertThat(installed.id()).isEqualTo("lazy");
            Files.delete(original);
            Files.delete(elsewhere);
            assertThat(greet(runtime, "lazy")).isEqualTo("lazy bert");
            assertThat(jarsIn(work)).hasSize(1);

            Greeter provider = runtime.providers("lazy").get(0);
            ClassLoader loader = provider.getClass().getClassLoader();
            assertThat(loader).isInstanceOf(URLClassLoader.class);
            assertThat(loader.getParent()).isSameAs(Greeter.class.getClassLoader());
            assertThat(loader.getName()).isEqualTo("bertj-plugin:lazy@1.0.0");

            List<PluginStatus> removed = runtime.uninstall("lazy");
            assertThat(removed).extracting(PluginStatus::state).containsExactly(PluginState.UNINSTALLED);
            assertThat(runtime.plugins()).isEmpty();
            assertThat(runtime.providers("lazy")).isEmpty();
            // The loader is closed: a class of the jar that was never loaded cannot be loaded any more.
            assertThatThrownBy(() -> Class.forName("acme.lazy.Later", false, loader))
                    .isInstanceOf(ClassNotFoundException.class);
            assertThat(jarsIn(work)).isEmpty();
            assertThat(runtime.uninstall("lazy")).isEmpty();
        }
    }

    @Test
    void installingAPathAgainReplacesItAndTheSameIdAndVersionFromElsewhereIsRefused() throws Exception {
        Path outside = Files.createTempDirectory("bertj-install-");
        Path a = Files.copy(Fixtures.echo(), outside.resolve("echo-a.jar"));
        Path b = Files.copy(Fixtures.echo(), outside.resolve("echo-b.jar"));
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            assertThat(runtime.install(a).state()).isEqualTo(PluginState.ACTIVE);
            assertThat(runtime.install(a).state()).isEqualTo(PluginState.ACTIVE);
            assertThat(runtime.plugins()).hasSize(1);
            PluginStatus second = runtime.install(b);
            assertThat(second.state()).isEqualTo(PluginState.FAILED);
            assertThat(second.reason()).isEqualTo("plugin echo@1.0.0 is already installed from " + a
                    + "; give this jar another version or uninstall that one first");
            assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
            assertThatThrownBy(() -> runtime.install(work.resolve("nothing.jar")))
                    .isInstanceOf(java.nio.file.NoSuchFileException.class);
        } finally {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void closeStopsPluginsAndDeletesItsOwnWorkDirectory() throws Exception {
        drop(Fixtures.echo(), dropIn, "echo.jar");
        PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, null).build();
        runtime.start();
        assertThat(greet(runtime, "echo")).isEqualTo("echo bert");
        Path ownWork = runtime.workDirectory();
        assertThat(jarsIn(ownWork)).hasSize(1);
        runtime.close();
        assertThat(runtime.plugins()).isEmpty();
        assertThat(ownWork).doesNotExist();
        assertThat(dropIn.resolve("echo.jar")).exists(); // the user's file is never touched
        assertThatThrownBy(() -> runtime.install(dropIn.resolve("echo.jar"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        runtime.close(); // idempotent
    }

    private static PluginStatus version(PluginRuntime<Greeter> runtime, String version) {
        return runtime.plugins().stream().filter(s -> Version.parse(version).equals(s.version())).findFirst()
                .orElseThrow();
    }

    private static List<Path> jarsIn(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).toList();
        }
    }
}
