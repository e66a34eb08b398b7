package dev.bertj.plugins;

import java.util.List;

/**
 * A plugin jar's manifest is missing or has invalid {@code Bertj-Plugin-*} headers. The message lists every problem,
 * each naming the header and the offending value.
 */
public final class PluginManifestException extends Exception {

    private final String pluginId;
    private final List<String> problems;

    PluginManifestException(String pluginId, List<String> problems) {
        super(String.join("; ", problems));
        this.pluginId = pluginId;
        this.problems = List.copyOf(problems);
    }

    /** The plugin id if that header at least was valid, else {@code null}. */
    public String pluginId() {
        return pluginId;
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
