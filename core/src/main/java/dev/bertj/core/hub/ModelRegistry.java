package dev.bertj.core.hub;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Resolves a model name or directory to a local model directory in the native layout.
 *
 * <p>A directory is validated and returned. A well-known name ({@link #knownNames()}) needs no configuration: its
 * Maven artifact is found on the classpath (through the resource that identifies the model) or in the local Maven
 * repository ({@code -Dmaven.repo.local}, {@code $MAVEN_REPO_LOCAL}, else {@code ~/.m2/repository}); the first use
 * converts it into the cache {@code $BERTJ_HOME/models/NAME} (default {@code ~/.cache/bertj/models/NAME}),
 * atomically, and later uses load the cache.
 */
public final class ModelRegistry {

    /** A well-known model: where its weights come from. */
    public record KnownModel(String name, String groupId, String artifactId, String version, String resource,
                             SourceFormat format, String description) {

        public String coordinates() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    private static final Map<String, KnownModel> KNOWN = loadKnown();

    private final Path home;
    private final Path mavenRepository;
    private final ClassLoader classLoader;

    public ModelRegistry(Path home, Path mavenRepository, ClassLoader classLoader) {
        this.home = home;
        this.mavenRepository = mavenRepository;
        this.classLoader = classLoader;
    }

    /** The registry with the default home and Maven repository (see the class comment). */
    public static ModelRegistry defaults() {
        return new ModelRegistry(defaultHome(), defaultMavenRepository(), ModelRegistry.class.getClassLoader());
    }

    /** {@code -Dbertj.home}, else {@code $BERTJ_HOME}, else {@code ~/.cache/bertj}. */
    public static Path defaultHome() {
        String p = System.getProperty("bertj.home");
        if (p == null || p.isBlank()) {
            p = System.getenv("BERTJ_HOME");
        }
        return p == null || p.isBlank() ? Path.of(System.getProperty("user.home"), ".cache", "bertj") : Path.of(p);
    }

    /** {@code -Dmaven.repo.local}, else {@code $MAVEN_REPO_LOCAL}, else {@code ~/.m2/repository}. */
    public static Path defaultMavenRepository() {
        String p = System.getProperty("maven.repo.local");
        if (p == null || p.isBlank()) {
            p = System.getenv("MAVEN_REPO_LOCAL");
        }
        return p == null || p.isBlank() ? Path.of(System.getProperty("user.home"), ".m2", "repository") : Path.of(p);
    }

    public static List<String> knownNames() {
        return List.copyOf(KNOWN.keySet());
    }

    public static Map<String, KnownModel> knownModels() {
        return KNOWN;
    }

    public Path home() {
        return home;
    }

    /** Where a well-known model is cached. */
    public Path cacheDir(String name) {
        return home.resolve("models").resolve(name);
    }

    /**
     * A validated native model directory for {@code nameOrDir}.
     *
     * @throws CheckpointException for an unknown name (listing the known ones), a missing artifact, or an invalid
     *                             directory
     */
    public Path resolve(String nameOrDir) {
        KnownModel known = KNOWN.get(nameOrDir);
        if (known == null) {
            Path dir = Path.of(nameOrDir);
            if (!Files.isDirectory(dir)) {
                throw new CheckpointException("unknown model '" + nameOrDir + "': not a directory and not a known name ("
                        + String.join(", ", KNOWN.keySet()) + ")");
            }
            ModelDirectory.open(dir);
            return dir;
        }
        Path cached = cacheDir(known.name());
        if (Files.isDirectory(cached)) {
            try {
                ModelDirectory.open(cached);
            } catch (CheckpointException e) {
                throw new CheckpointException(e.getMessage() + " (the cached conversion of " + known.name()
                        + " is damaged; delete " + cached + " to convert it again)", e);
            }
            return cached;
        }
        Path jar = locate(known);
        convertInto(known, jar, cached);
        ModelDirectory.open(cached);
        return cached;
    }

    /** The jar holding a known model: on the classpath, else in the local Maven repository. */
    public Path locate(KnownModel m) {
        URL url = classLoader.getResource(m.resource());
        if (url != null && url.getProtocol().equals("jar")) {
            try {
                return Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
            } catch (Exception e) {
                // fall through to the Maven repository
            }
        }
        Path jar = mavenRepository.resolve(m.groupId().replace('.', '/')).resolve(m.artifactId()).resolve(m.version())
                .resolve(m.artifactId() + "-" + m.version() + ".jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        throw new CheckpointException("model '" + m.name() + "': artifact " + m.coordinates()
                + " is neither on the classpath nor in the local Maven repository (" + jar + "); fetch it with"
                + " ./mvnw dependency:get -Dartifact=" + m.coordinates());
    }

    private void convertInto(KnownModel m, Path jar, Path target) {
        Path parent = target.getParent();
        Path tmp;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + m.name() + ".tmp-");
        } catch (IOException e) {
            throw new CheckpointException(parent + ": cannot create the model cache: " + e, e);
        }
        try {
            Path staged = tmp.resolve("model");
            ModelConverter.convert(m.format(), jar, staged, DType.F32, null);
            Files.writeString(staged.resolve("bertj-source.txt"), m.coordinates() + "\n" + m.resource() + "\n");
            try {
                Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // Another process converted it first; its result is as good as ours.
            }
        } catch (IOException e) {
            throw new CheckpointException(target + ": cannot store the converted model: " + e, e);
        } finally {
            ModelConverter.deleteRecursively(tmp);
        }
    }

    private static Map<String, KnownModel> loadKnown() {
        Properties p = new Properties();
        try (InputStream in = ModelRegistry.class.getResourceAsStream("known-models.properties")) {
            if (in == null) {
                throw new IllegalStateException("known-models.properties missing from the bertj-core jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, KnownModel> m = new LinkedHashMap<>();
        for (String name : List.of("bert-base-uncased", "all-minilm-l6-v2", "bge-small-en-v1.5", "e5-small-v2")) {
            String[] gav = p.getProperty(name + ".artifact").split(":");
            m.put(name, new KnownModel(name, gav[0], gav[1], gav[2], p.getProperty(name + ".resource"),
                    SourceFormat.parse(p.getProperty(name + ".format")), p.getProperty(name + ".description")));
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
