package dev.bertj.plugins;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Comparator;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Finding a class's jar, reading a manifest from it, and removing a directory tree. */
final class Jars {

    private Jars() {
    }

    /** The jar or directory {@code type} was loaded from, or {@code null} if its loader does not say. */
    static URL location(Class<?> type) {
        CodeSource cs = type.getProtectionDomain().getCodeSource();
        return cs == null ? null : cs.getLocation();
    }

    /** The manifest of a classpath entry: a jar file, an exploded directory, or any URL that streams a jar. */
    static Manifest readManifest(URL location) throws IOException, URISyntaxException {
        if ("file".equals(location.getProtocol())) {
            Path p = Path.of(location.toURI());
            if (Files.isDirectory(p)) {
                Path mf = p.resolve(JarFile.MANIFEST_NAME);
                if (!Files.isRegularFile(mf)) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(mf)) {
                    return new Manifest(in);
                }
            }
            try (JarFile jar = new JarFile(p.toFile(), false)) {
                return jar.getManifest();
            }
        }
        try (JarInputStream in = new JarInputStream(location.openStream(), false)) {
            return in.getManifest();
        }
    }

    /** Deletes {@code root} and everything below it; what cannot be deleted now is deleted on exit. */
    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    p.toFile().deleteOnExit();
                }
            });
        } catch (IOException e) {
            System.getLogger(Jars.class.getName()).log(System.Logger.Level.WARNING, "cannot delete " + root + ": " + e);
        }
    }

}
