package dev.bertj.plugins.testing;

import dev.bertj.core.spi.PluginLifecycle;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Builds a real plugin jar at test time: compiles Java sources with {@code javax.tools.JavaCompiler} against the
 * host's classes (the {@link Greeter} SPI and {@code core}) and writes a jar with {@link JarOutputStream}: the
 * manifest, the classes, and {@code META-INF/services} files. Nothing is pre-built or checked in.
 */
public final class PluginJarBuilder {

    private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();

    private final Map<String, String> headers = new LinkedHashMap<>();
    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, List<String>> services = new LinkedHashMap<>();
    private final List<Path> classpath = new ArrayList<>();
    private boolean withManifest = true;

    public static PluginJarBuilder plugin(String id, String version, String requires) {
        return new PluginJarBuilder()
                .header("Bertj-Plugin-Id", id)
                .header("Bertj-Plugin-Version", version)
                .header("Bertj-Plugin-Requires", requires)
                .header("Bertj-Plugin-Description", "test plugin " + id + " " + version);
    }

    public static PluginJarBuilder withoutHeaders() {
        return new PluginJarBuilder();
    }

    public PluginJarBuilder header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public PluginJarBuilder withoutHeader(String name) {
        headers.remove(name);
        return this;
    }

    /** Compiles against these jars or directories too (besides the Greeter SPI and core). */
    public PluginJarBuilder classpath(Path... entries) {
        classpath.addAll(List.of(entries));
        return this;
    }

    /** No META-INF/MANIFEST.MF at all. */
    public PluginJarBuilder noManifest() {
        withManifest = false;
        return this;
    }

    public PluginJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** Registers providers of {@link Greeter}. */
    public PluginJarBuilder greeters(String... providerClasses) {
        return service(Greeter.class.getName(), providerClasses);
    }

    public PluginJarBuilder service(String serviceInterface, String... providerClasses) {
        services.computeIfAbsent(serviceInterface, k -> new ArrayList<>()).addAll(List.of(providerClasses));
        return this;
    }

    /** A Greeter provider class whose greet method body is {@code body} (it may use the parameter {@code name}). */
    public PluginJarBuilder greeter(String className, String body) {
        int dot = className.lastIndexOf('.');
        String code = "package " + className.substring(0, dot) + ";\n"
                + "public class " + className.substring(dot + 1) + " implements " + Greeter.class.getName() + " {\n"
                + "  public String greet(String name) throws Exception {\n" + body + "\n  }\n}\n";
        return source(className, code).greeters(className);
    }

    /** Compiles the sources and writes the jar to {@code jar}. */
    public Path writeTo(Path jar) throws IOException {
        Path classes = Files.createTempDirectory("plugin-classes-");
        try {
            compile(classes);
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (OutputStream out = Files.newOutputStream(jar);
                 JarOutputStream jos = withManifest ? new JarOutputStream(out, manifest()) : new JarOutputStream(out)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(classes)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    jos.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    jos.write(Files.readAllBytes(f));
                    jos.closeEntry();
                }
                for (Map.Entry<String, List<String>> s : services.entrySet()) {
                    jos.putNextEntry(new JarEntry("META-INF/services/" + s.getKey()));
                    jos.write(("# providers\n" + String.join("\n", s.getValue()) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                    jos.closeEntry();
                }
            }
            return jar;
        } finally {
            try (Stream<Path> walk = Files.walk(classes)) {
                walk.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Manifest manifest() {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
        return m;
    }

    private void compile(Path out) throws IOException {
        if (sources.isEmpty()) {
            return;
        }
        if (JAVAC == null) {
            throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
        }
        List<JavaFileObject> units = new ArrayList<>();
        sources.forEach((name, code) -> units.add(new Source(name, code)));
        List<String> entries = new ArrayList<>(List.of(location(Greeter.class), location(PluginLifecycle.class)));
        classpath.forEach(p -> entries.add(p.toString()));
        String searchPath = String.join(java.io.File.pathSeparator, entries);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = JAVAC.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-classpath", searchPath, "-d", out.toString(),
                    "-proc:none", "-Xlint:none");
            boolean ok = JAVAC.getTask(null, files, diagnostics, options, null, units).call();
            if (!ok) {
                throw new IllegalStateException("fixture sources do not compile: " + diagnostics.getDiagnostics());
            }
        }
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(URI.create("string:///" + className.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
