package dev.bertj.plugins;

/**
 * Where a plugin is in its life. The transitions:
 * <ul>
 *   <li>{@code INSTALLED -> RESOLVED}: manifest valid, core API version in the required range, provider classes
 *       load, at least one provider;</li>
 *   <li>{@code RESOLVED -> ACTIVE}: chosen to serve its id, providers instantiated, start hooks ran;</li>
 *   <li>{@code ACTIVE -> STOPPED}: uninstalled, superseded by a newer version, or the host shuts down;</li>
 *   <li>{@code STOPPED -> ACTIVE}: chosen again (the version it lost to went away);</li>
 *   <li>{@code RESOLVED | STOPPED | FAILED -> UNINSTALLED}: removed (an {@code ACTIVE} plugin stops first);</li>
 *   <li>{@code INSTALLED | RESOLVED | STOPPED -> FAILED}: refused or broken, with a reason.</li>
 * </ul>
 * A version that lost the choice between two versions of its id without ever running stays {@link #RESOLVED}.
 */
public enum PluginState {
    /** The jar is known: copied into the runtime's private directory, or found on the classpath. */
    INSTALLED,
    /** Manifest valid, core API version in the required range, provider classes load, at least one provider. */
    RESOLVED,
    /** Providers instantiated and their start hooks ran: the plugin answers calls. */
    ACTIVE,
    /** Stop hooks ran; the provider instances are released. */
    STOPPED,
    /** Removed; its class loader is closed and its private copy deleted. Final. */
    UNINSTALLED,
    /** Refused or broken at some step; see the reason. Only uninstalling leaves this state. */
    FAILED;

    /** Whether a plugin in this state can be chosen to serve its id. */
    boolean isCandidate() {
        return this == RESOLVED || this == ACTIVE || this == STOPPED;
    }

    /** Whether the runtime may move a plugin from this state to {@code next}. */
    boolean canMoveTo(PluginState next) {
        return switch (this) {
            case INSTALLED -> next == RESOLVED || next == FAILED || next == UNINSTALLED;
            case RESOLVED -> next == ACTIVE || next == FAILED || next == UNINSTALLED;
            case ACTIVE -> next == STOPPED;
            case STOPPED -> next == ACTIVE || next == FAILED || next == UNINSTALLED;
            case FAILED -> next == UNINSTALLED;
            case UNINSTALLED -> false;
        };
    }
}
