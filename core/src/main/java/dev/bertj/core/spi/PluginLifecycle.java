package dev.bertj.core.spi;

/**
 * Optional start and stop hooks for a service provider hosted by the plugin runtime.
 *
 * <p>A provider registered in {@code META-INF/services} may also implement this interface. The runtime calls
 * {@link #start()} after instantiating the provider and before anyone uses it, and {@link #stop()} when the plugin
 * is stopped (uninstalled, replaced by a newer version, or the host shuts down). Both run with the plugin's class
 * loader as the thread's context class loader and under a timeout; an exception from {@code start} marks the plugin
 * failed without affecting the host or other plugins.
 */
public interface PluginLifecycle {

    /** Acquires what the provider needs (files, threads, caches). Throw to refuse activation, with a clear message. */
    default void start() throws Exception {
    }

    /** Releases what {@link #start()} acquired. Called at most once per successful start. */
    default void stop() throws Exception {
    }
}
