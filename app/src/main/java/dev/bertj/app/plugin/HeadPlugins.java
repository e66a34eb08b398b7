package dev.bertj.app.plugin;

import dev.bertj.app.config.ServiceConfig;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.plugins.PluginEvent;
import dev.bertj.plugins.PluginListener;
import dev.bertj.plugins.PluginRuntime;
import dev.bertj.plugins.PluginState;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service's {@link PluginRuntime} of head factories: the built-in heads on the classpath and the jars in the
 * plugins directory (dropped there or uploaded), started before any model loads. Whoever needs to know when
 * heads come and go registers a {@link Runnable} with {@link #onChange}.
 */
@Singleton
public class HeadPlugins {

    private static final Logger LOG = Logger.getLogger(HeadPlugins.class);

    /**
     * The runtime logs every failed call (by plugin and exception class, never its message, which may quote the
     * request's text). A head refusing a request (an IllegalArgumentException, answered 422) or the service
     * refusing it inside the call (a ProblemException: a request that does not fit the head) is routine: it is
     * counted in the plugin's status and the metrics, and those records are dropped; other failures, timeouts and
     * rejections stay in the log. Held strongly so that the filtered logger is not collected and recreated without
     * its filter.
     */
    private static final java.util.logging.Logger RUNTIME_LOG = java.util.logging.Logger.getLogger(
            PluginRuntime.class.getName());

    static {
        RUNTIME_LOG.setFilter(r -> r.getMessage() == null
                || !r.getMessage().matches("plugin \\S+: call failed \\(FAILED, (java\\.lang\\.IllegalArgumentException"
                        + "|dev\\.bertj\\.app\\.problem\\.ProblemException)\\)"));
    }

    private final PluginRuntime<HeadFactory> runtime;
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    @Inject
    public HeadPlugins(ServiceConfig config) {
        try {
            Files.createDirectories(config.dirs().plugins());
            PluginListener log = this::log;
            runtime = PluginRuntime.builder(HeadFactory.class)
                    .dropInDirectory(config.dirs().plugins())
                    .callThreads(config.plugins().callThreads())
                    .maxConcurrentCallsPerPlugin(config.plugins().maxCallsPerPlugin())
                    .listener(log)
                    .listener(this::changed)
                    .build();
            runtime.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the head plugin runtime on " + config.dirs().plugins()
                    + ": " + e.getMessage(), e);
        }
    }

    public PluginRuntime<HeadFactory> runtime() {
        return runtime;
    }

    /** Active head factories by plugin id. */
    public Map<String, List<HeadFactory>> active() {
        return runtime.activeProviders();
    }

    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    private void changed(PluginEvent e) {
        if (e.type() == PluginEvent.Type.STATE_CHANGED
                && (e.to() == PluginState.ACTIVE || e.from() == PluginState.ACTIVE)) {
            for (Runnable r : changeListeners) {
                r.run();
            }
        }
    }

    private void log(PluginEvent e) {
        if (e.type() == PluginEvent.Type.CALL_FAILED) {
            // The message may quote request text; the plugin's id is enough for the log.
            LOG.debugf("a call to plugin %s@%s failed", e.id(), e.version());
        } else if (e.to() == PluginState.FAILED) {
            LOG.warn(e);
        } else {
            LOG.info(e);
        }
    }

    void stop(@Observes @Priority(10) ShutdownEvent event) {
        runtime.close();
    }
}
