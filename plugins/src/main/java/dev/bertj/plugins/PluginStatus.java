package dev.bertj.plugins;

import java.util.List;

/**
 * A snapshot of one installed plugin (one jar), for reports, {@code GET /v1/plugins} and tests.
 *
 * @param id            the plugin id, or {@code null} if the manifest gave no valid one
 * @param version       the plugin version, or {@code null} if unknown
 * @param state         its state
 * @param reason        why it failed (names the step, the header or class, and the value), else {@code null}
 * @param source        the jar it was installed from, or {@code classpath:<location>} for a built-in
 * @param builtIn       found on the host's classpath rather than installed from a file
 * @param description   from the manifest, or {@code null}
 * @param vendor        from the manifest, or {@code null}
 * @param requires      the core API range it requires, or {@code null}
 * @param providers     the provider class names it registers (known from {@code RESOLVED} on)
 * @param selected      whether this is the version that serves its id
 * @param selection     the choice between versions of this id, in words ("selected: highest compatible version of
 *                      2 (1.2.0, 1.0.0)", "not selected: 1.2.0 is newer"), or {@code null} before any choice
 * @param calls         guarded calls made to it
 * @param failedCalls   of which threw, timed out or were refused
 * @param timedOutCalls of which timed out
 * @param callsInFlight guarded calls running now (a call that timed out but ignores interruption stays here)
 * @param lastCallFailure the message of the last failed call, or {@code null}
 */
public record PluginStatus(String id, Version version, PluginState state, String reason, String source,
        boolean builtIn, String description, String vendor, VersionRange requires, List<String> providers,
        boolean selected, String selection, long calls, long failedCalls, long timedOutCalls, int callsInFlight,
        String lastCallFailure) {
}
