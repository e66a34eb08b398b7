package dev.bertj.plugins;

import static dev.bertj.plugins.RuntimeSupport.greet;
import static dev.bertj.plugins.testing.Fixtures.drop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bertj.plugins.testing.Fixtures;
import dev.bertj.plugins.testing.Greeter;
import dev.bertj.plugins.testing.PluginJarBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Built-in plugins: jars on the host's classpath, found by ServiceLoader on the host's loader, whose manifests are
 * read through the providers' CodeSource, so that they go through the same metadata checks and lifecycle.
 */
class PluginClasspathTest {

    @TempDir
    Path dropIn;
    @TempDir
    Path work;
    @TempDir
    Path classpath;

    @Test
    void builtInJarsGoThroughTheSameManifestChecksAndLifecycle() throws Exception {
        Path builtin = builtin("2.0.0", classpath.resolve("builtin.jar"));
        Path exploded = explode(PluginJarBuilder.plugin("exploded", "1.0.0", Fixtures.RANGE)
                .greeter("acme.exploded.ExplodedGreeter", "return \"exploded \" + name;")
                .writeTo(work.resolve("exploded.jar")), classpath.resolve("exploded-classes"));
        Path plain = PluginJarBuilder.withoutHeaders()
                .greeter("acme.plain.PlainGreeter", "return \"plain\";").writeTo(classpath.resolve("plain.jar"));
        Path ghost = Files.copy(Fixtures.missingClass(), classpath.resolve("ghost.jar"));
        RuntimeSupport.Recorder events = new RuntimeSupport.Recorder();
        try (URLClassLoader host = new URLClassLoader(new URL[] {url(builtin), url(exploded), url(plain), url(ghost)},
                Greeter.class.getClassLoader());
             PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).classpath(host).listener(events)
                     .build()) {
            runtime.start();

            assertThat(greet(runtime, "builtin")).isEqualTo("builtin bert from 2.0.0");
            PluginStatus status = runtime.plugin("builtin").orElseThrow();
            assertThat(status.builtIn()).isTrue();
            assertThat(status.source()).isEqualTo("classpath:" + url(builtin));
            assertThat(status.state()).isEqualTo(PluginState.ACTIVE);
            assertThat(events.of("builtin")).containsExactly("null->INSTALLED", "INSTALLED->RESOLVED", "SELECTED",
                    "RESOLVED->ACTIVE");
            // An exploded directory (what a reactor build puts on the classpath) works when it has the manifest.
            assertThat(greet(runtime, "exploded")).isEqualTo("exploded bert");

            PluginStatus plainStatus = bySource(runtime, "plain.jar");
            assertThat(plainStatus.state()).isEqualTo(PluginState.FAILED);
            assertThat(plainStatus.builtIn()).isTrue();
            assertThat(plainStatus.providers()).containsExactly("acme.plain.PlainGreeter");
            assertThat(plainStatus.reason()).isEqualTo("invalid plugin manifest: header Bertj-Plugin-Id is missing;"
                    + " header Bertj-Plugin-Version is missing; header Bertj-Plugin-Requires is missing;"
                    + " header Bertj-Plugin-Description is missing");
            PluginStatus ghostStatus = runtime.plugins().stream().filter(s -> s.source().equals("classpath"))
                    .findFirst().orElseThrow();
            assertThat(ghostStatus.state()).isEqualTo(PluginState.FAILED);
            assertThat(ghostStatus.reason()).contains("acme.ghost.MissingGreeter");

            // A newer version dropped in wins over the built-in; removing it brings the built-in back.
            Path newer = drop(builtin("2.1.0", work.resolve("builtin-2.1.0.jar")), dropIn, "builtin.jar");
            Fixtures.await("2.1.0 serves", () -> "builtin bert from 2.1.0".equals(greetOrNull(runtime)));
            assertThat(status(runtime, "2.0.0").state()).isEqualTo(PluginState.STOPPED);
            Files.delete(newer);
            Fixtures.await("built-in back", () -> "builtin bert from 2.0.0".equals(greetOrNull(runtime)));
        }
    }

    @Test
    void uninstallingABuiltInStopsItButLeavesTheHostsLoaderOpen() throws Exception {
        Path builtin = builtin("2.0.0", classpath.resolve("builtin.jar"));
        try (URLClassLoader host = new URLClassLoader(new URL[] {url(builtin)}, Greeter.class.getClassLoader());
             PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).classpath(host).build()) {
            runtime.start();
            assertThat(runtime.uninstall("builtin")).extracting(PluginStatus::state)
                    .containsExactly(PluginState.UNINSTALLED);
            assertThat(runtime.plugins()).isEmpty();
            assertThat(host.loadClass("acme.builtin.BuiltinGreeter")).isNotNull();
        }
    }

    private static Path builtin(String version, Path jar) throws IOException {
        return PluginJarBuilder.plugin("builtin", version, Fixtures.RANGE)
                .greeter("acme.builtin.BuiltinGreeter", "return \"builtin \" + name + \" from " + version + "\";")
                .writeTo(jar);
    }

    private static String greetOrNull(PluginRuntime<Greeter> runtime) {
        try {
            return greet(runtime, "builtin");
        } catch (PluginCallException e) {
            return null;
        }
    }

    private static PluginStatus status(PluginRuntime<Greeter> runtime, String version) {
        return runtime.plugins().stream().filter(s -> Version.parse(version).equals(s.version())).findFirst()
                .orElseThrow();
    }

    private static PluginStatus bySource(PluginRuntime<Greeter> runtime, String fileName) {
        return runtime.plugins().stream().filter(s -> s.source().endsWith(fileName)).findFirst().orElseThrow();
    }

    private static URL url(Path p) throws IOException {
        return p.toUri().toURL();
    }

    /** Unpacks {@code jar} into {@code dir}, manifest included, like a build's classes directory. */
    private static Path explode(Path jar, Path dir) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Path mf = dir.resolve(JarFile.MANIFEST_NAME);
            Files.createDirectories(mf.getParent());
            try (var out = Files.newOutputStream(mf)) {
                in.getManifest().write(out);
            }
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new IOException("entry outside the directory: " + e.getName());
                }
                Files.createDirectories(target.getParent());
                copy(in, target);
            }
        }
        return dir;
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Files.write(target, in.readAllBytes());
    }
}
