package dev.bertj.plugins;

import java.time.Instant;

/**
 * Something that happened to a plugin.
 *
 * @param type    what kind of event
 * @param id      the plugin id, or {@code null} when the manifest gave none
 * @param version the plugin version, or {@code null} when unknown
 * @param source  where the plugin came from: the dropped or installed jar path, or {@code classpath:<location>}
 * @param from    the state before ({@code null} for the first {@code INSTALLED}); for non-state events the
 *                current state
 * @param to      the state after; for non-state events the current state
 * @param message the reason of a failure, the choice made between versions, or the failed call; may be
 *                {@code null} for ordinary transitions
 * @param time    when it happened
 */
public record PluginEvent(Type type, String id, Version version, String source, PluginState from, PluginState to,
        String message, Instant time) {

    public enum Type {
        /** The plugin moved from {@code from} to {@code to}. */
        STATE_CHANGED,
        /** The plugin was chosen to serve its id; {@code message} says among which versions and why. */
        SELECTED,
        /** A guarded call into the plugin threw, timed out or was refused; {@code message} says which. */
        CALL_FAILED
    }

    @Override
    public String toString() {
        String who = (id == null ? "?" : id) + (version == null ? "" : "@" + version);
        String what = switch (type) {
            case STATE_CHANGED -> from + " -> " + to;
            case SELECTED -> "SELECTED";
            case CALL_FAILED -> "CALL_FAILED";
        };
        return who + " " + what + (message == null ? "" : ": " + message) + " (" + source + ")";
    }
}
