/**
 * What {@code core} promises to plugins: the core API version ({@link dev.bertj.core.spi.CoreApi}) that plugin jars
 * declare a range for, and the optional lifecycle hooks ({@link dev.bertj.core.spi.PluginLifecycle}) a provider may
 * implement. A plugin jar needs only {@code core} at compile time.
 */
package dev.bertj.core.spi;
