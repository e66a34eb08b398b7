package dev.bertj.app.testing;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds a third-party head plugin jar the way an outside author would: compiles its source against the host's
 * classpath (core only) and packages it with the {@code Bertj-Plugin-*} manifest and the ServiceLoader
 * registration. The head, {@code token-count}, answers {@code {"text": ...}} with the number of WordPiece tokens
 * and the norm of the encoder's [CLS] vector, so an answer proves it ran on the hosting model's encoder. The texts
 * {@code boom}, {@code hang} and {@code slow} make it throw, hang, or take two seconds (the isolation tests).
 */
public final class HeadJar {

    private HeadJar() {
    }

    static final String SOURCE = """
            package acme.heads;

            import com.fasterxml.jackson.databind.node.ObjectNode;
            import dev.bertj.core.head.*;
            import dev.bertj.core.nn.Parameter;
            import dev.bertj.core.nn.Tape;
            import java.nio.file.Path;
            import java.util.*;

            public final class TokenCountFactory implements HeadFactory, dev.bertj.core.spi.PluginLifecycle {
                public void start() {
                    if (%FAIL_START%) { throw new IllegalStateException("no licence key configured"); }
                }

                public record Request(String text) { }
                public record Answer(int tokens, double clsNorm, String version) { }

                static final HeadDescriptor D = new HeadDescriptor("token-count", "%VERSION%",
                        "Counts WordPiece tokens and measures the [CLS] vector", Request.class, Answer.class);

                public HeadDescriptor descriptor() { return D; }
                public TaskHead<?, ?, ?> create(HeadContext c, Map<String, String> o) { return new Head(c); }
                public TaskHead<?, ?, ?> load(HeadContext c, Path dir) { return new Head(c); }
                public Optional<TaskHead<?, ?, ?>> fromModel(HeadContext c) { return Optional.of(new Head(c)); }

                static final class Head implements TaskHead<Request, Answer, Object> {
                    final HeadContext c;
                    Head(HeadContext c) { this.c = c; }
                    public HeadDescriptor descriptor() { return D; }
                    public List<Parameter> parameters() { return List.of(); }
                    public ObjectNode config() { return HeadFiles.json().createObjectNode(); }
                    public Answer predict(Request r) {
                        if (r.text() == null) { throw new IllegalArgumentException("token-count needs a text"); }
                        // Faults on request, for the isolation tests.
                        if (r.text().equals("boom")) { throw new IllegalStateException("the head broke"); }
                        if (r.text().equals("hang")) {
                            try { Thread.sleep(600_000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                        }
                        if (r.text().equals("slow")) {
                            try { Thread.sleep(2_000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                        }
                        var e = c.tokenizer().encode(r.text());
                        var out = c.encoder().encode(EncoderBatch.pad(List.of(e), c.tokenizer().vocabulary().padId()));
                        double norm = out.sequenceOutput().getRow(0).norm2Number().doubleValue();
                        return new Answer(e.length(), norm, D.version());
                    }
                    public List<Object> readExamples(Path f, Map<String, String> o) { throw new UnsupportedOperationException(); }
                    public HeadBatch<Object> encode(List<Object> e, int n) { throw new UnsupportedOperationException(); }
                    public HeadLoss loss(Tape t, EncoderVars v, HeadBatch<Object> b) { throw new UnsupportedOperationException(); }
                    public Map<String, Double> evaluate(List<Object> e) { throw new UnsupportedOperationException(); }
                }
            }
            """;

    /** Compiles and packages the token-count head with the given plugin version into {@code dir}. */
    public static Path build(Path dir, String version) throws IOException {
        return build(dir, version, false);
    }

    /** As {@link #build(Path, String)}; with {@code failOnStart} its start hook throws (the plugin must be refused). */
    public static Path build(Path dir, String version, boolean failOnStart) throws IOException {
        Path src = Files.createTempDirectory("head-src");
        Path classes = Files.createTempDirectory("head-classes");
        Path file = src.resolve("acme/heads/TokenCountFactory.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, SOURCE.replace("%VERSION%", version).replace("%FAIL_START%", String.valueOf(failOnStart)));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, "-classpath", System.getProperty("java.class.path"), "-d",
                classes.toString(), "--release", "17", file.toString());
        if (rc != 0) {
            throw new IllegalStateException("the fixture head does not compile: " + err);
        }
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bertj-Plugin-Id", "token-count");
        a.putValue("Bertj-Plugin-Version", version);
        a.putValue("Bertj-Plugin-Requires", "[1.0,2.0)");
        a.putValue("Bertj-Plugin-Description", "A third-party test head");
        a.putValue("Bertj-Plugin-Vendor", "acme");
        Files.createDirectories(dir);
        Path jar = dir.resolve("token-count-" + version + (failOnStart ? "-failing" : "") + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.putNextEntry(new JarEntry("META-INF/services/dev.bertj.core.head.HeadFactory"));
            j.write("acme.heads.TokenCountFactory\n".getBytes());
            j.closeEntry();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(classes)) {
                files = new ArrayList<>(walk.filter(Files::isRegularFile).sorted().toList());
            }
            for (Path f : files) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
        }
        return jar;
    }
}
