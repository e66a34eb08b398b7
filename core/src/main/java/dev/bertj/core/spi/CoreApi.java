package dev.bertj.core.spi;

/**
 * The version of the API that {@code core} offers to plugins (the head SPI and everything a head may call).
 *
 * <p>A plugin jar states the range of core API versions it was built for in its manifest header
 * {@code Bertj-Plugin-Requires} (OSGi syntax, e.g. {@code [1.0,2.0)}); the plugin runtime refuses a plugin whose range
 * does not include this version. Bump the micro number for fixes, the minor number for additive changes (new
 * methods with defaults, new types) and the major number when a plugin built against the old API may break.
 */
public final class CoreApi {

    /** The core API version this build provides: {@code major.minor.micro}. */
    public static final String VERSION = "1.0.0";

    private CoreApi() {
    }
}
