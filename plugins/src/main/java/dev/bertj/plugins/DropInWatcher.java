package dev.bertj.plugins;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Watches the drop-in directory and reports jars that appeared, changed or disappeared.
 *
 * <p>The directory listing is the truth; file-system events only wake the watcher early (and on file systems
 * without events it simply polls). A new or changed jar is reported once it has stayed the same (size, time, inode)
 * for the settle time, so a jar still being copied is not loaded half-written. Names starting with '.' are ignored,
 * so tools can write {@code .name.jar.tmp} or {@code .name.jar} and rename it into place.
 */
final class DropInWatcher implements AutoCloseable {

    interface Changes {
        void added(Path jar);

        void changed(Path jar);

        void removed(Path jar);
    }

    private record Pending(FileStamp stamp, long sinceNanos) {
    }

    private static final System.Logger LOG = System.getLogger(DropInWatcher.class.getName());

    private final Path directory;
    private final long pollMillis;
    private final long settleNanos;
    private final Changes changes;
    private final Map<Path, FileStamp> known = new HashMap<>();
    private final Map<Path, Pending> pending = new HashMap<>();
    private WatchService events;
    private boolean registered;
    private Thread thread;
    private volatile boolean closed;

    DropInWatcher(Path directory, Duration pollInterval, Duration settleTime, Changes changes) {
        this.directory = directory;
        this.pollMillis = Math.max(1, pollInterval.toMillis());
        this.settleNanos = settleTime.toNanos();
        this.changes = changes;
    }

    /** The jars in {@code directory} now, sorted by name. */
    static Map<Path, FileStamp> list(Path directory) throws IOException {
        Map<Path, FileStamp> jars = new TreeMap<>();
        if (!Files.isDirectory(directory)) {
            return jars;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.jar")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(p)) {
                    continue;
                }
                try {
                    jars.put(p.toAbsolutePath().normalize(), FileStamp.of(p));
                } catch (IOException vanished) {
                    // Removed between listing and reading: the next round sees it gone.
                }
            }
        }
        return jars;
    }

    /** Starts watching; {@code alreadyHandled} are the jars the runtime installed at start-up. */
    void start(Map<Path, FileStamp> alreadyHandled) {
        known.putAll(alreadyHandled);
        try {
            events = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.INFO, "no file-system events for " + directory + "; polling every "
                    + pollMillis + " ms");
        }
        register();
        thread = new Thread(this::loop, "bertj-plugin-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void register() {
        if (events == null || registered || !Files.isDirectory(directory)) {
            return;
        }
        try {
            directory.register(events, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            registered = true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch " + directory + " (" + e + "); polling instead");
        }
    }

    private void loop() {
        while (!closed) {
            try {
                long wait = pending.isEmpty() ? pollMillis : Math.max(1, TimeUnit.NANOSECONDS.toMillis(settleNanos));
                if (events != null && registered) {
                    WatchKey key = events.poll(wait, TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        if (!key.reset()) {
                            registered = false; // the directory went away; re-register when it is back
                        }
                    }
                } else {
                    Thread.sleep(wait);
                    register();
                }
                reconcile();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "plugin directory watcher: " + e, e);
            }
        }
    }

    /** Compares the directory with what was handled and reports settled differences. */
    void reconcile() {
        Map<Path, FileStamp> now;
        try {
            now = list(directory);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot list " + directory + ": " + e);
            return;
        }
        for (Path gone : new ArrayList<>(known.keySet())) {
            if (!now.containsKey(gone) && !closed) {
                known.remove(gone);
                report(() -> changes.removed(gone), gone);
            }
        }
        pending.keySet().retainAll(now.keySet());
        long t = System.nanoTime();
        for (Map.Entry<Path, FileStamp> e : now.entrySet()) {
            Path jar = e.getKey();
            FileStamp stamp = e.getValue();
            FileStamp handled = known.get(jar);
            if (stamp.equals(handled)) {
                pending.remove(jar);
                continue;
            }
            Pending p = pending.get(jar);
            if (p == null || !p.stamp().equals(stamp)) {
                pending.put(jar, new Pending(stamp, t));
            } else if (t - p.sinceNanos() >= settleNanos && !closed) {
                pending.remove(jar);
                known.put(jar, stamp);
                if (handled == null) {
                    report(() -> changes.added(jar), jar);
                } else {
                    report(() -> changes.changed(jar), jar);
                }
            }
        }
    }

    private static void report(Runnable change, Path jar) {
        try {
            change.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "handling " + jar + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null && events == null) {
            thread.interrupt(); // only to cut a polling sleep short; with events, closing the service wakes it
        }
        if (events != null) {
            try {
                events.close();
            } catch (IOException ignored) {
                // Closing only wakes the thread; nothing to recover.
            }
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
