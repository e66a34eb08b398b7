package dev.bertj.plugins;

/**
 * A call into a plugin did not produce a result. The message names the plugin and says what happened; the cause,
 * when there is one, is what the plugin threw.
 */
public final class PluginCallException extends RuntimeException {

    public enum Kind {
        /** No active plugin has this id (unknown, failed, stopped or uninstalled). */
        NOT_ACTIVE,
        /** The plugin's code threw; see the cause. */
        FAILED,
        /** The call did not finish within its timeout and was cancelled. */
        TIMED_OUT,
        /** Refused before running: the plugin has too many calls in flight, or the runtime is saturated or closed. */
        REJECTED,
        /** The calling thread was interrupted while waiting; the call was cancelled. */
        INTERRUPTED
    }

    private final String pluginId;
    private final Version version;
    private final Kind kind;

    PluginCallException(String pluginId, Version version, Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.pluginId = pluginId;
        this.version = version;
        this.kind = kind;
    }

    public String pluginId() {
        return pluginId;
    }

    /** The version that was called, or {@code null} if no version was active. */
    public Version version() {
        return version;
    }

    public Kind kind() {
        return kind;
    }
}
