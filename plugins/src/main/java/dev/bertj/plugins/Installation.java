package dev.bertj.plugins;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One installed jar and everything the runtime knows about it. Lifecycle fields change only under the runtime's
 * lock; they are volatile so that calls and status snapshots can read them without it.
 */
final class Installation<S> {

    final long serial;
    /** The jar path as installed, or {@code classpath:<location>}. */
    final String source;
    /** The file the user dropped or installed ({@code null} for a built-in). */
    final Path origin;
    /** The origin's stamp when it was copied, to tell a re-drop of the same file from a replacement. */
    final FileStamp originStamp;
    /** The private copy the class loader reads ({@code null} for a built-in). */
    final Path copy;
    final boolean builtIn;

    volatile PluginState state;
    volatile String reason;
    /** The id header's value when the rest of the manifest was unusable. */
    volatile String idHint;
    volatile PluginManifest manifest;
    /** Why the manifest is unusable, when {@link #manifest} is null. */
    volatile String manifestProblem;
    /** A {@link PluginClassLoader} for a jar, the host's loader for a built-in. */
    volatile ClassLoader loader;
    volatile List<ServiceLoader.Provider<S>> found = List.of();
    /** Provider instances while ACTIVE, else empty. */
    volatile List<S> providers = List.of();
    volatile boolean selected;
    volatile String selection;

    /** Bounds the calls in flight, so that a plugin whose calls hang cannot take every call thread. */
    final Semaphore permits;
    final int maxCalls;
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failedCalls = new AtomicLong();
    final AtomicLong timedOutCalls = new AtomicLong();
    volatile String lastCallFailure;

    Installation(long serial, String source, Path origin, FileStamp originStamp, Path copy, boolean builtIn,
            int maxCalls) {
        this.serial = serial;
        this.source = source;
        this.origin = origin;
        this.originStamp = originStamp;
        this.copy = copy;
        this.builtIn = builtIn;
        this.maxCalls = maxCalls;
        this.permits = new Semaphore(maxCalls);
    }

    String id() {
        PluginManifest m = manifest;
        return m != null ? m.id() : idHint;
    }

    Version version() {
        PluginManifest m = manifest;
        return m != null ? m.version() : null;
    }

    /** {@code id@version} or the source when the manifest said nothing usable. */
    String label() {
        String id = id();
        if (id == null) {
            return source;
        }
        Version v = version();
        return v == null ? id : id + "@" + v;
    }

    /** Closes the plugin's own class loader (never the host's) and deletes the private copy. */
    void release() {
        if (loader instanceof PluginClassLoader own) {
            try {
                own.close();
            } catch (IOException e) {
                System.getLogger(PluginRuntime.class.getName()).log(System.Logger.Level.WARNING,
                        "closing the class loader of " + label() + " failed: " + e);
            }
        }
        if (copy != null) {
            try {
                Files.deleteIfExists(copy);
            } catch (IOException e) {
                copy.toFile().deleteOnExit();
            }
        }
    }

    PluginStatus status() {
        PluginManifest m = manifest;
        List<String> names = found.stream().map(p -> p.type().getName()).toList();
        return new PluginStatus(id(), version(), state, reason, source, builtIn,
                m == null ? null : m.description(), m == null ? null : m.vendor(), m == null ? null : m.requires(),
                names, selected, selection, calls.get(), failedCalls.get(), timedOutCalls.get(),
                maxCalls - permits.availablePermits(), lastCallFailure);
    }
}
