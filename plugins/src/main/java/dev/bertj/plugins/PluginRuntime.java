package dev.bertj.plugins;

import dev.bertj.core.spi.CoreApi;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Hosts implementations of the service interface {@code S} found by {@link ServiceLoader} in plugin jars: built-in
 * jars on the host's classpath and jars dropped into a watched directory or installed through {@link #install}.
 *
 * <p>Each jar carries {@code Bertj-Plugin-*} manifest headers ({@link PluginManifest}) and goes through the
 * {@link PluginState} lifecycle; every transition is an event to the {@link PluginListener}s. A dropped jar is
 * copied into a private directory and loaded by its own {@link PluginClassLoader}, whose parent is the service
 * interface's class loader. When several versions of one plugin id are usable, the highest wins and the others wait
 * ({@link PluginStatus#selection()} and a {@link PluginEvent.Type#SELECTED} event say so). A plugin that fails at
 * any step is marked {@link PluginState#FAILED} with a reason; the host and the other plugins carry on. Calls made
 * through {@link #call} run with a timeout on a bounded pool and fail with a {@link PluginCallException} naming the
 * plugin.
 *
 * <pre>{@code
 * try (PluginRuntime<Greeter> greeters = PluginRuntime.builder(Greeter.class)
 *         .dropInDirectory(Path.of("plugins")).build()) {
 *     greeters.start();
 *     String answer = greeters.call("hello", g -> g.greet("bert"), Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Thread safety: all methods may be called from any thread. Lifecycle work (install, uninstall, start-up, the
 * watcher's changes) is serialised; calls do not wait for it.
 *
 * @param <S> the service interface the plugins implement
 */
public final class PluginRuntime<S> implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PluginRuntime.class.getName());

    private final Class<S> serviceType;
    private final String servicesFile;
    private final ClassLoader pluginParent;
    private final ClassLoader classpathLoader;
    private final Path dropInDirectory;
    private final Path workDirectory;
    private final boolean ownsWorkDirectory;
    private final Version coreApiVersion;
    private final Duration lifecycleTimeout;
    private final Duration stopGrace;
    private final Duration pollInterval;
    private final Duration settleTime;
    private final int maxCallsPerPlugin;
    private final CallGuard guard;
    private final List<PluginListener> listeners = new CopyOnWriteArrayList<>();

    /** Guards lifecycle changes. Readers use the copy-on-write list and the active map without it. */
    private final Object lock = new Object();
    private final List<Installation<S>> installations = new CopyOnWriteArrayList<>();
    private final Map<String, Installation<S>> active = new ConcurrentHashMap<>();
    private long nextSerial = 1;
    private boolean started;
    private volatile boolean closed;
    private DropInWatcher watcher;

    private PluginRuntime(Builder<S> b) throws IOException {
        this.serviceType = b.serviceType;
        this.servicesFile = "META-INF/services/" + serviceType.getName();
        ClassLoader spi = serviceType.getClassLoader();
        // A JDK interface has no class loader object; the platform loader then is the closest sensible parent.
        this.pluginParent = spi != null ? spi : ClassLoader.getPlatformClassLoader();
        this.classpathLoader = b.scanClasspath ? (b.classpath != null ? b.classpath : pluginParent) : null;
        this.dropInDirectory = b.dropIn == null ? null : b.dropIn.toAbsolutePath().normalize();
        if (b.work != null) {
            this.workDirectory = Files.createDirectories(b.work.toAbsolutePath().normalize());
            this.ownsWorkDirectory = false;
        } else {
            this.workDirectory = Files.createTempDirectory("bertj-plugins-");
            this.ownsWorkDirectory = true;
        }
        this.coreApiVersion = b.coreApi;
        this.lifecycleTimeout = b.lifecycleTimeout;
        this.stopGrace = b.stopGrace;
        this.pollInterval = b.pollInterval;
        this.settleTime = b.settleTime;
        this.maxCallsPerPlugin = b.maxCallsPerPlugin;
        this.listeners.addAll(b.listeners);
        this.guard = new CallGuard(b.callThreads, b.callQueue, this::callFailed);
    }

    /** A builder for a runtime hosting implementations of {@code serviceType}. */
    public static <S> Builder<S> builder(Class<S> serviceType) {
        return new Builder<>(serviceType);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Start-up and shut-down

    /**
     * Discovers the built-in plugins on the classpath and the jars in the drop-in directory (created if missing),
     * resolves them all, activates the chosen version of each id, then watches the directory.
     */
    public void start() throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (started) {
                throw new IllegalStateException("the plugin runtime for " + serviceType.getName() + " already started");
            }
            started = true;
            List<String> ids = new ArrayList<>();
            if (classpathLoader != null) {
                ids.addAll(discoverClasspath());
            }
            Map<Path, FileStamp> dropped = Map.of();
            if (dropInDirectory != null) {
                Files.createDirectories(dropInDirectory);
                dropped = DropInWatcher.list(dropInDirectory);
                for (Path jar : dropped.keySet()) {
                    try {
                        Installation<S> inst = installFile(jar, false);
                        ids.add(inst.id());
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot install " + jar + ": " + e);
                    }
                }
            }
            // Choose among all versions only once everything is resolved, so that a lower version found first is
            // never started just to be stopped again.
            ids.stream().filter(Objects::nonNull).distinct().sorted().forEach(this::select);
            if (dropInDirectory != null) {
                watcher = new DropInWatcher(dropInDirectory, pollInterval, settleTime, new DropIns());
                watcher.start(dropped);
            }
        }
    }

    /** Stops watching, stops every active plugin, uninstalls everything and releases threads and files. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (watcher != null) {
            watcher.close(); // outside the lock: the watcher thread may be waiting for it
        }
        synchronized (lock) {
            List<Installation<S>> all = new ArrayList<>(installations);
            all.sort(Comparator.comparingLong((Installation<S> i) -> i.serial).reversed());
            for (Installation<S> inst : all) {
                uninstallOne(inst);
            }
        }
        guard.close();
        if (ownsWorkDirectory) {
            Jars.deleteTree(workDirectory);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Install and uninstall through the API

    /**
     * Installs a plugin jar: copies it into the runtime's private directory (the original may be deleted or
     * replaced afterwards), resolves it and, if it is the highest usable version of its id, activates it.
     * Installing a path that is already installed replaces that installation.
     *
     * @return the new plugin's status; a plugin that is refused comes back {@link PluginState#FAILED} with its reason
     * @throws IOException if the file cannot be read at all (nothing is installed then)
     */
    public PluginStatus install(Path jar) throws IOException {
        Objects.requireNonNull(jar, "jar");
        synchronized (lock) {
            ensureOpen();
            Installation<S> inst = installFile(jar, false);
            if (inst.id() != null) {
                select(inst.id());
            }
            return inst.status();
        }
    }

    /**
     * Uninstalls every installed version of plugin {@code id} (active ones stop first; their class loaders are
     * closed). A jar in the drop-in directory stays where it is; it is installed again only if it changes or the
     * runtime restarts.
     *
     * @return the statuses of what was uninstalled, empty if nothing had this id
     */
    public List<PluginStatus> uninstall(String id) {
        Objects.requireNonNull(id, "id");
        synchronized (lock) {
            ensureOpen();
            // The active version goes last, so that no other version of the id is started in between.
            List<Installation<S>> matching = installations.stream().filter(i -> id.equals(i.id()))
                    .sorted(Comparator.comparing((Installation<S> i) -> i.state == PluginState.ACTIVE)).toList();
            List<PluginStatus> removed = new ArrayList<>();
            for (Installation<S> inst : matching) {
                uninstallOne(inst);
                removed.add(inst.status());
            }
            return removed;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Looking at plugins

    /** Every installed plugin (one entry per jar, failed ones included), in installation order. */
    public List<PluginStatus> plugins() {
        return installations.stream().map(Installation::status).toList();
    }

    /**
     * The plugin with this id: the version that serves it, else its highest installed version, else a failed jar
     * that claimed the id.
     */
    public Optional<PluginStatus> plugin(String id) {
        return representative(id).map(Installation::status);
    }

    /** The provider instances of the active version of {@code id}; empty if none is active. */
    public List<S> providers(String id) {
        Installation<S> inst = active.get(id);
        return inst == null ? List.of() : inst.providers;
    }

    /** The provider instances of every active plugin, by plugin id (sorted). */
    public Map<String, List<S>> activeProviders() {
        Map<String, List<S>> all = new LinkedHashMap<>();
        active.keySet().stream().sorted().forEach(id -> {
            List<S> ps = providers(id);
            if (!ps.isEmpty()) {
                all.put(id, ps);
            }
        });
        return all;
    }

    public Class<S> serviceType() {
        return serviceType;
    }

    /** The core API version plugins' {@code Bertj-Plugin-Requires} ranges are checked against. */
    public Version coreApiVersion() {
        return coreApiVersion;
    }

    /** Where the private copies of installed jars are kept. */
    public Path workDirectory() {
        return workDirectory;
    }

    /** The watched directory, or {@code null}. */
    public Path dropInDirectory() {
        return dropInDirectory;
    }

    public void addListener(PluginListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(PluginListener listener) {
        listeners.remove(listener);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Calls

    /**
     * Runs {@code fn} with the first provider of the active version of plugin {@code id}, on the runtime's call
     * pool, and waits at most {@code timeout}.
     *
     * @throws PluginCallException naming the plugin if no version is active, {@code fn} throws, the call times out
     *                             (it is then cancelled) or is refused because the plugin has too many calls in
     *                             flight or the pool is saturated
     */
    public <R> R call(String id, PluginCall<? super S, ? extends R> fn, Duration timeout) {
        Installation<S> inst = active.get(id);
        List<S> ps = inst == null ? List.of() : inst.providers;
        if (ps.isEmpty()) {
            throw notActive(id);
        }
        return guard.call(inst, ps.get(0), fn, timeout);
    }

    /** Like {@link #call(String, PluginCall, Duration)}, with a given provider of plugin {@code id}. */
    public <R> R call(String id, S provider, PluginCall<? super S, ? extends R> fn, Duration timeout) {
        Installation<S> inst = active.get(id);
        if (inst == null || inst.providers.isEmpty()) {
            throw notActive(id);
        }
        if (inst.providers.stream().noneMatch(p -> p == provider)) {
            throw new IllegalArgumentException(provider + " is not a provider of the active plugin " + inst.label());
        }
        return guard.call(inst, provider, fn, timeout);
    }

    private PluginCallException notActive(String id) {
        String why = representative(id)
                .map(i -> " (" + i.label() + " is " + i.state + (i.reason == null ? "" : ": " + i.reason) + ")")
                .orElse(" (no plugin with this id is installed)");
        return new PluginCallException(id, null, PluginCallException.Kind.NOT_ACTIVE,
                "plugin " + id + " is not active" + why, null);
    }

    private void callFailed(Installation<?> inst, PluginCallException failure) {
        // Not the message: a plugin's exception may quote its argument (a service's request text). The caller gets
        // the message with the exception, and listeners and the plugin's status get it; the log gets what and who.
        Throwable cause = failure.getCause();
        LOG.log(System.Logger.Level.WARNING, "plugin " + inst.label() + ": call failed (" + failure.kind()
                + (cause == null || failure.kind() != PluginCallException.Kind.FAILED ? ""
                        : ", " + cause.getClass().getName()) + ")");
        emit(PluginEvent.Type.CALL_FAILED, inst, inst.state, inst.state, failure.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Discovery

    /** Groups the host's providers by the jar (or directory) they come from; each group is one built-in plugin. */
    private List<String> discoverClasspath() {
        Map<URL, List<ServiceLoader.Provider<S>>> byLocation = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        Spliterator<ServiceLoader.Provider<S>> providers =
                ServiceLoader.load(serviceType, classpathLoader).stream().spliterator();
        // ServiceLoader reports a bad registration by throwing and then carries on with the next one.
        for (int guardSteps = 0; guardSteps < 100_000; guardSteps++) {
            try {
                if (!providers.tryAdvance(p -> byLocation.computeIfAbsent(Jars.location(p.type()),
                        k -> new ArrayList<>()).add(p))) {
                    break;
                }
            } catch (ServiceConfigurationError | LinkageError e) {
                Installation<S> inst = newInstallation("classpath", null, null, null, true, null);
                fail(inst, "a provider of " + serviceType.getName() + " on the classpath cannot be loaded: "
                        + CallGuard.describe(e));
            }
        }
        for (Map.Entry<URL, List<ServiceLoader.Provider<S>>> e : byLocation.entrySet()) {
            ids.add(installBuiltIn(e.getKey(), e.getValue()).id());
        }
        return ids;
    }

    private Installation<S> installBuiltIn(URL location, List<ServiceLoader.Provider<S>> providers) {
        String names = providers.stream().map(p -> p.type().getName()).toList().toString();
        String source = "classpath:" + (location == null ? names : location);
        Manifest manifest = null;
        String unreadable = null;
        if (location == null) {
            unreadable = "cannot tell which jar the providers " + names + " come from (no CodeSource), so their"
                    + " plugin manifest cannot be read";
        } else {
            try {
                manifest = Jars.readManifest(location);
            } catch (IOException | URISyntaxException | RuntimeException e) {
                unreadable = "cannot read the manifest of " + location + ": " + CallGuard.describe(e);
            }
        }
        Installation<S> inst = newInstallation(source, null, null, null, true, manifest);
        inst.loader = classpathLoader;
        inst.found = List.copyOf(providers);
        if (unreadable != null) {
            fail(inst, unreadable);
        } else if (checkManifest(inst, null)) {
            move(inst, PluginState.RESOLVED, null);
        }
        return inst;
    }

    /** Copies, reads and resolves one jar file; replaces an earlier installation of the same path. */
    private Installation<S> installFile(Path jar, boolean fromWatcher) throws IOException {
        Path origin = jar.toAbsolutePath().normalize();
        if (!Files.isRegularFile(origin)) {
            throw new NoSuchFileException(origin.toString(), null, "not a regular file");
        }
        FileStamp stamp = FileStamp.of(origin);
        Installation<S> earlier = installations.stream().filter(i -> origin.equals(i.origin)).findFirst().orElse(null);
        if (earlier != null && fromWatcher && stamp.equals(earlier.originStamp)) {
            return earlier; // installed through the API from the watched directory: nothing changed
        }
        long serial = nextSerial;
        Path copy = workDirectory.resolve(serial + "-" + origin.getFileName());
        Files.copy(origin, copy, StandardCopyOption.REPLACE_EXISTING);
        Manifest manifest = null;
        String unreadable = null;
        try (JarFile file = new JarFile(copy.toFile(), false)) {
            manifest = file.getManifest();
        } catch (IOException | RuntimeException e) {
            unreadable = "not a readable jar file: " + CallGuard.describe(e);
        }
        Installation<S> inst = newInstallation(origin.toString(), origin, stamp, copy, false, manifest);
        if (unreadable != null) {
            fail(inst, unreadable);
        } else {
            resolveJar(inst, earlier);
        }
        if (earlier != null) {
            uninstallOne(earlier);
        }
        return inst;
    }

    /**
     * Registers a jar as INSTALLED. Its manifest is parsed here already, so that even the first event names the
     * plugin; whether the manifest is acceptable is decided when resolving.
     */
    private Installation<S> newInstallation(String source, Path origin, FileStamp stamp, Path copy, boolean builtIn,
            Manifest manifest) {
        Installation<S> inst = new Installation<>(nextSerial++, source, origin, stamp, copy, builtIn,
                maxCallsPerPlugin);
        try {
            inst.manifest = PluginManifest.read(manifest);
        } catch (PluginManifestException e) {
            inst.idHint = e.pluginId();
            inst.manifestProblem = e.getMessage();
        }
        installations.add(inst);
        inst.state = PluginState.INSTALLED;
        emit(PluginEvent.Type.STATE_CHANGED, inst, null, PluginState.INSTALLED, null);
        return inst;
    }

    /** INSTALLED -> RESOLVED or FAILED for a jar file. */
    private void resolveJar(Installation<S> inst, Installation<S> replacing) {
        if (!checkManifest(inst, replacing)) {
            return;
        }
        PluginClassLoader loader;
        try {
            loader = new PluginClassLoader("bertj-plugin:" + inst.label(), inst.copy.toUri().toURL(), pluginParent);
        } catch (IOException e) {
            fail(inst, "cannot create its class loader: " + CallGuard.describe(e));
            return;
        }
        inst.loader = loader;
        List<ServiceLoader.Provider<S>> found = new ArrayList<>();
        try {
            ServiceLoader.load(serviceType, loader).stream().forEach(found::add);
        } catch (ServiceConfigurationError | LinkageError e) {
            fail(inst, "cannot load its providers of " + serviceType.getName() + ": " + CallGuard.describe(e));
            return;
        }
        List<String> foreign = found.stream()
                .filter(p -> p.type().getClassLoader() != loader && !p.type().getModule().isNamed())
                .map(p -> p.type().getName()).toList();
        found.removeIf(p -> p.type().getClassLoader() != loader);
        if (!foreign.isEmpty()) {
            fail(inst, servicesFile + " lists " + foreign + ", which are not classes of this jar (the host has"
                    + " them)");
            return;
        }
        if (found.isEmpty()) {
            fail(inst, "the jar registers no provider of " + serviceType.getName() + ": expected " + servicesFile
                    + " naming a public class with a public no-argument constructor");
            return;
        }
        inst.found = List.copyOf(found);
        move(inst, PluginState.RESOLVED, null);
    }

    /** Reads the headers and checks the core API range and duplicates; on a problem the plugin fails. */
    private boolean checkManifest(Installation<S> inst, Installation<S> replacing) {
        PluginManifest m = inst.manifest;
        if (m == null) {
            fail(inst, "invalid plugin manifest: " + inst.manifestProblem);
            return false;
        }
        if (!m.requires().includes(coreApiVersion)) {
            fail(inst, "requires core API " + m.requires() + " (header " + PluginManifest.REQUIRES + ") but this"
                    + " host provides core API " + coreApiVersion);
            return false;
        }
        for (Installation<S> other : installations) {
            if (other != inst && other != replacing && other.state != PluginState.FAILED
                    && other.state != PluginState.UNINSTALLED && m.id().equals(other.id())
                    && m.version().equals(other.version())) {
                fail(inst, "plugin " + m.label() + " is already installed from " + other.source
                        + "; give this jar another version or uninstall that one first");
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Choosing a version and the lifecycle steps

    /**
     * Makes the highest usable version of {@code id} the active one: stops the one it replaces, activates it, and
     * if its start fails, tries the next highest.
     */
    private void select(String id) {
        while (!closed) {
            List<Installation<S>> candidates = installations.stream()
                    .filter(i -> id.equals(i.id()) && i.state.isCandidate())
                    .sorted(Comparator.comparing(Installation<S>::version).reversed())
                    .toList();
            Installation<S> winner = candidates.isEmpty() ? null : candidates.get(0);
            Installation<S> current = active.get(id);
            String choice = describeChoice(id, candidates);
            for (Installation<S> c : candidates) {
                c.selected = c == winner;
                c.selection = c == winner ? "selected: " + choice
                        : "not selected: " + winner.version() + " is newer (" + choice + ")";
            }
            if (winner == current) {
                return;
            }
            if (current != null) {
                stop(current);
            }
            if (winner == null) {
                return;
            }
            emit(PluginEvent.Type.SELECTED, winner, winner.state, winner.state, winner.selection);
            if (activate(winner)) {
                return;
            }
        }
    }

    private String describeChoice(String id, List<Installation<S>> candidates) {
        List<String> refused = installations.stream()
                .filter(i -> id.equals(i.id()) && i.state == PluginState.FAILED && i.version() != null)
                .map(i -> i.version() + " (failed)").toList();
        String usable = candidates.stream().map(i -> i.version().toString()).toList().toString();
        String s = candidates.size() <= 1 ? "the only usable version" + (candidates.isEmpty() ? "" : " " + usable)
                : "highest of " + candidates.size() + " usable versions " + usable;
        return refused.isEmpty() ? s : s + "; not usable: " + refused;
    }

    /** RESOLVED or STOPPED -> ACTIVE, or FAILED if a provider cannot be created or its start hook fails. */
    private boolean activate(Installation<S> inst) {
        List<ServiceLoader.Provider<S>> found = inst.found;
        try {
            List<S> instances = LifecycleSteps.run("start-" + inst.label(), inst.loader,
                    () -> LifecycleSteps.instantiateAndStart(found), lifecycleTimeout);
            inst.providers = List.copyOf(instances);
        } catch (ExecutionException e) {
            fail(inst, "start failed: " + CallGuard.describe(e.getCause()));
            return false;
        } catch (TimeoutException e) {
            fail(inst, "start " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(inst, "start was interrupted");
            return false;
        }
        // Published for calls before the state (and its event) says ACTIVE: whoever sees ACTIVE can call.
        active.put(inst.id(), inst);
        move(inst, PluginState.ACTIVE, null);
        return true;
    }

    /** ACTIVE -> STOPPED: no new calls, wait briefly for calls in flight, run the stop hooks. */
    private void stop(Installation<S> inst) {
        active.remove(inst.id(), inst);
        List<S> instances = inst.providers;
        inst.providers = List.of();
        awaitCallsInFlight(inst);
        String problem = null;
        try {
            problem = LifecycleSteps.run("stop-" + inst.label(), inst.loader, () -> LifecycleSteps.stopAll(instances),
                    lifecycleTimeout);
        } catch (ExecutionException e) {
            problem = CallGuard.describe(e.getCause());
        } catch (TimeoutException e) {
            problem = "stop " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "stop was interrupted";
        }
        if (problem != null) {
            LOG.log(System.Logger.Level.WARNING, "stopping plugin " + inst.label() + ": " + problem);
        }
        move(inst, PluginState.STOPPED, problem == null ? null : "stopped, but a stop hook failed: " + problem);
    }

    private void awaitCallsInFlight(Installation<S> inst) {
        long deadline = System.nanoTime() + stopGrace.toNanos();
        while (inst.permits.availablePermits() < inst.maxCalls && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops if active, then -> UNINSTALLED; closes the class loader, deletes the copy, and re-chooses the id. */
    private void uninstallOne(Installation<S> inst) {
        if (inst.state == PluginState.UNINSTALLED) {
            return;
        }
        boolean wasActive = inst.state == PluginState.ACTIVE;
        if (wasActive) {
            stop(inst);
        }
        move(inst, PluginState.UNINSTALLED, null);
        inst.selected = false;
        inst.release();
        installations.remove(inst);
        if (wasActive && inst.id() != null) {
            select(inst.id());
        }
    }

    private void fail(Installation<S> inst, String reason) {
        LOG.log(System.Logger.Level.WARNING, "plugin " + inst.label() + " failed: " + reason);
        if (inst.id() != null) {
            active.remove(inst.id(), inst);
        }
        inst.providers = List.of();
        inst.selected = false;
        inst.selection = null;
        move(inst, PluginState.FAILED, reason);
        inst.release();
    }

    private void move(Installation<S> inst, PluginState to, String reason) {
        PluginState from = inst.state;
        if (!from.canMoveTo(to)) {
            throw new IllegalStateException("plugin " + inst.label() + ": no transition " + from + " -> " + to);
        }
        inst.state = to;
        inst.reason = reason;
        emit(PluginEvent.Type.STATE_CHANGED, inst, from, to, reason);
    }

    private void emit(PluginEvent.Type type, Installation<?> inst, PluginState from, PluginState to, String message) {
        PluginEvent event = new PluginEvent(type, inst.id(), inst.version(), inst.source, from, to, message,
                Instant.now());
        for (PluginListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "plugin listener " + l + " threw on " + event + ": " + t, t);
            }
        }
    }

    private Optional<Installation<S>> representative(String id) {
        Installation<S> act = active.get(id);
        if (act != null) {
            return Optional.of(act);
        }
        Comparator<Installation<S>> order = Comparator
                .comparing((Installation<S> i) -> i.state.isCandidate())
                .thenComparing(Installation::version, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparingLong(i -> i.serial);
        return installations.stream().filter(i -> id.equals(i.id())).max(order);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the plugin runtime for " + serviceType.getName() + " is closed");
        }
    }

    /** What the watcher reports, applied under the lock. */
    private final class DropIns implements DropInWatcher.Changes {

        @Override
        public void added(Path jar) {
            changed(jar);
        }

        @Override
        public void changed(Path jar) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                try {
                    Installation<S> inst = installFile(jar, true);
                    if (inst.id() != null) {
                        select(inst.id());
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot install dropped jar " + jar + ": " + e);
                }
            }
        }

        @Override
        public void removed(Path jar) {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                for (Installation<S> inst : installations) {
                    if (jar.equals(inst.origin)) {
                        uninstallOne(inst);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Configures a {@link PluginRuntime}; every setting has a sensible default. */
    public static final class Builder<S> {
        private final Class<S> serviceType;
        private ClassLoader classpath;
        private boolean scanClasspath = true;
        private Path dropIn;
        private Path work;
        private Version coreApi = Version.parse(CoreApi.VERSION);
        private int callThreads = 32;
        private int callQueue = 1024;
        private int maxCallsPerPlugin = 8;
        private Duration lifecycleTimeout = Duration.ofSeconds(30);
        private Duration stopGrace = Duration.ofSeconds(2);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration settleTime = Duration.ofMillis(300);
        private final List<PluginListener> listeners = new ArrayList<>();

        private Builder(Class<S> serviceType) {
            this.serviceType = Objects.requireNonNull(serviceType, "serviceType");
            if (!serviceType.isInterface() && !java.lang.reflect.Modifier.isAbstract(serviceType.getModifiers())) {
                throw new IllegalArgumentException(serviceType.getName() + " is not an interface or abstract class");
            }
        }

        /** The class loader whose providers are the built-in plugins; default: the service interface's. */
        public Builder<S> classpath(ClassLoader loader) {
            this.classpath = Objects.requireNonNull(loader, "loader");
            this.scanClasspath = true;
            return this;
        }

        /** Do not look for built-in plugins on the classpath. */
        public Builder<S> noClasspath() {
            this.scanClasspath = false;
            return this;
        }

        /** The directory to install jars from at start and to watch while running; none by default. */
        public Builder<S> dropInDirectory(Path directory) {
            this.dropIn = directory;
            return this;
        }

        /** Where the private copies of installed jars go; default: a fresh temporary directory, deleted on close. */
        public Builder<S> workDirectory(Path directory) {
            this.work = directory;
            return this;
        }

        /** The core API version plugin ranges are checked against; default {@link CoreApi#VERSION}. */
        public Builder<S> coreApiVersion(Version version) {
            this.coreApi = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Threads that run guarded calls (default 32). */
        public Builder<S> callThreads(int threads) {
            this.callThreads = positive(threads, "callThreads");
            return this;
        }

        /** Calls that may wait for a thread before calls are refused (default 1024). */
        public Builder<S> callQueue(int capacity) {
            this.callQueue = positive(capacity, "callQueue");
            return this;
        }

        /**
         * Calls one plugin may have in flight (default 8); must be below {@link #callThreads} so that a plugin whose
         * calls hang leaves threads for the others.
         */
        public Builder<S> maxConcurrentCallsPerPlugin(int calls) {
            this.maxCallsPerPlugin = positive(calls, "maxConcurrentCallsPerPlugin");
            return this;
        }

        /** How long creating providers and running a start or stop hook may take (default 30 s). */
        public Builder<S> lifecycleTimeout(Duration timeout) {
            this.lifecycleTimeout = positive(timeout, "lifecycleTimeout");
            return this;
        }

        /** How long stopping waits for calls in flight before running the stop hooks anyway (default 2 s). */
        public Builder<S> stopGrace(Duration grace) {
            this.stopGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** How often the drop-in directory is listed when no file-system event arrives (default 1 s). */
        public Builder<S> pollInterval(Duration interval) {
            this.pollInterval = positive(interval, "pollInterval");
            return this;
        }

        /** How long a dropped jar must stay unchanged before it is installed (default 300 ms). */
        public Builder<S> settleTime(Duration settle) {
            this.settleTime = Objects.requireNonNull(settle, "settle");
            return this;
        }

        public Builder<S> listener(PluginListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Creates the runtime (and its work directory); call {@link PluginRuntime#start()} to discover plugins. */
        public PluginRuntime<S> build() throws IOException {
            if (maxCallsPerPlugin >= callThreads) {
                throw new IllegalArgumentException("maxConcurrentCallsPerPlugin (" + maxCallsPerPlugin
                        + ") must be below callThreads (" + callThreads + "), or one hanging plugin could take every"
                        + " call thread");
            }
            if (dropIn != null && work != null) {
                Path d = dropIn.toAbsolutePath().normalize();
                Path w = work.toAbsolutePath().normalize();
                if (w.startsWith(d) || d.startsWith(w)) {
                    throw new IllegalArgumentException("the work directory " + w + " and the drop-in directory " + d
                            + " must not contain each other: the private copies would look like dropped jars");
                }
            }
            return new PluginRuntime<>(this);
        }

        private static int positive(int n, String what) {
            if (n <= 0) {
                throw new IllegalArgumentException(what + " must be positive, got " + n);
            }
            return n;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
