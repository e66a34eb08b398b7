/**
 * The plugin runtime: hosts implementations of a service interface found by {@link java.util.ServiceLoader} in
 * plugin jars, with OSGi-style manifest metadata ({@link dev.bertj.plugins.PluginManifest}), version ranges
 * ({@link dev.bertj.plugins.VersionRange}), a lifecycle ({@link dev.bertj.plugins.PluginState}), one class loader
 * per jar, a watched drop-in directory, and guarded calls. Start at {@link dev.bertj.plugins.PluginRuntime}; the
 * how and why are in {@code docs/plugins.md}.
 */
package dev.bertj.plugins;
