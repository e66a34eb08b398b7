package dev.bertj.plugins;

/**
 * Receives every {@link PluginEvent} of a runtime, in order, on the thread that caused it. Keep it quick: lifecycle
 * work waits for it. An exception thrown here is logged and otherwise ignored.
 */
@FunctionalInterface
public interface PluginListener {
    void onEvent(PluginEvent event);
}
