package dev.bertj.plugins;

import static dev.bertj.plugins.RuntimeSupport.greet;
import static dev.bertj.plugins.testing.Fixtures.drop;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bertj.plugins.testing.Fixtures;
import dev.bertj.plugins.testing.Greeter;
import dev.bertj.plugins.testing.PluginJarBuilder;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One class loader per jar, parented on the service interface's loader. */
class PluginClassLoadingTest {

    @TempDir
    Path dropIn;
    @TempDir
    Path work;

    @Test
    void twoPluginsWithTheSameClassNameDoNotClash() throws Exception {
        drop(Fixtures.sameClassName("alpha"), dropIn, "alpha.jar");
        drop(Fixtures.sameClassName("beta"), dropIn, "beta.jar");
        try (PluginRuntime<Greeter> runtime = RuntimeSupport.builder(dropIn, work).build()) {
            runtime.start();
            assertThat(greet(runtime, "alpha")).isEqualTo("alpha call 1");
            assertThat(greet(runtime, "beta")).isEqualTo("beta call 1");
            assertThat(greet(runtime, "alpha")).isEqualTo("alpha call 2"); // separate statics, too

            Class<?> alpha = runtime.providers("alpha").get(0).getClass();
            Class<?> beta = runtime.providers("beta").get(0).getClass();
            assertThat(alpha.getName()).isEqualTo("shared.Impl").isEqualTo(beta.getName());
            assertThat(alpha).isNotSameAs(beta);
            assertThat(alpha.getClassLoader()).isNotSameAs(beta.getClassLoader());
            assertThat(alpha.getClassLoader().getParent()).isSameAs(Greeter.class.getClassLoader());
            assertThat(beta.getClassLoader().getParent()).isSameAs(Greeter.class.getClassLoader());
            // Neither leaks into the host.
            assertThat(Greeter.class.getClassLoader().getResource("shared/Impl.class")).isNull();
        }
    }

    /**
     * The situation of the Quarkus prod jar: the service interface lives in a class loader that the system class
     * loader cannot see. The plugin still links, because its loader's parent is the interface's loader.
     */
    @Test
    void pluginLoaderParentIsTheServiceInterfacesLoaderNotTheSystemLoader() throws Exception {
        Path spiJar = PluginJarBuilder.withoutHeaders()
                .source("spi.Speaker", "package spi; public interface Speaker { String speak(); }")
                .writeTo(work.resolve("spi.jar"));
        Path plugin = PluginJarBuilder.plugin("speaker", "1.0.0", Fixtures.RANGE)
                .classpath(spiJar)
                .source("acme.speaker.Loud", "package acme.speaker; public class Loud implements spi.Speaker {"
                        + " public String speak() { return \"LOUD from \" + getClass().getClassLoader().getName(); } }")
                .service("spi.Speaker", "acme.speaker.Loud")
                .writeTo(work.resolve("speaker.jar"));
        try (URLClassLoader host = new URLClassLoader("host", new URL[] {spiJar.toUri().toURL()},
                ClassLoader.getSystemClassLoader())) {
            Class<?> speaker = host.loadClass("spi.Speaker");
            assertThat(ClassLoader.getSystemClassLoader().getResource("spi/Speaker.class")).isNull();
            assertThat(speak(speaker, plugin)).isEqualTo("LOUD from bertj-plugin:speaker@1.0.0");
        }
    }

    private <T> String speak(Class<T> speaker, Path plugin) throws Exception {
        try (PluginRuntime<T> runtime = PluginRuntime.builder(speaker).noClasspath().workDirectory(work)
                .callThreads(2).maxConcurrentCallsPerPlugin(1).build()) {
            runtime.start();
            PluginStatus status = runtime.install(plugin);
            assertThat(status.state()).as(String.valueOf(status.reason())).isEqualTo(PluginState.ACTIVE);
            assertThat(runtime.providers("speaker").get(0).getClass().getClassLoader().getParent())
                    .isSameAs(speaker.getClassLoader());
            return runtime.call("speaker", s -> (String) speaker.getMethod("speak").invoke(s), Duration.ofSeconds(5));
        }
    }
}
