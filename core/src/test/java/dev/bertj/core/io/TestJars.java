package dev.bertj.core.io;

import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Path;

/** Locates the jar of a test-scope Maven artifact through one of its resources. */
public final class TestJars {

    private TestJars() {
    }

    public static Path jarContaining(String resource) {
        URL url = TestJars.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("test resource " + resource + " is not on the classpath");
        }
        try {
            return Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
        } catch (Exception e) {
            throw new IllegalStateException("cannot locate the jar of " + url, e);
        }
    }
}
