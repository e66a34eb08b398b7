package dev.bertj.plugins;

import dev.bertj.plugins.testing.Greeter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A runtime configured for tests (short poll, settle and grace times) and an event recorder. */
final class RuntimeSupport {

    static final Duration CALL = Duration.ofSeconds(5);

    private RuntimeSupport() {
    }

    static PluginRuntime.Builder<Greeter> builder(Path dropIn, Path work) {
        return PluginRuntime.builder(Greeter.class)
                .noClasspath()
                .dropInDirectory(dropIn)
                .workDirectory(work)
                .pollInterval(Duration.ofMillis(50))
                .settleTime(Duration.ofMillis(100))
                .stopGrace(Duration.ofMillis(200))
                .lifecycleTimeout(Duration.ofSeconds(10))
                .callThreads(8)
                .maxConcurrentCallsPerPlugin(2);
    }

    /** Keeps every event; thread-safe. */
    static final class Recorder implements PluginListener {
        private final List<PluginEvent> events = new ArrayList<>();

        @Override
        public synchronized void onEvent(PluginEvent event) {
            events.add(event);
        }

        synchronized List<PluginEvent> events() {
            return List.copyOf(events);
        }

        /** The events of plugin {@code id}, as "FROM->TO", "SELECTED" or "CALL_FAILED". */
        synchronized List<String> of(String id) {
            return events.stream().filter(e -> id.equals(e.id())).map(e -> switch (e.type()) {
                case STATE_CHANGED -> e.from() + "->" + e.to();
                case SELECTED -> "SELECTED";
                case CALL_FAILED -> "CALL_FAILED";
            }).toList();
        }

        synchronized List<PluginEvent> ofType(PluginEvent.Type type) {
            return events.stream().filter(e -> e.type() == type).toList();
        }
    }

    static String greet(PluginRuntime<Greeter> runtime, String id) {
        return runtime.call(id, g -> g.greet("bert"), CALL);
    }

    static PluginState state(PluginRuntime<Greeter> runtime, String id) {
        return runtime.plugin(id).map(PluginStatus::state).orElse(null);
    }

}
