package dev.bertj.plugins;

import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The plugin metadata a jar carries in {@code META-INF/MANIFEST.MF}.
 *
 * <pre>
 * Bertj-Plugin-Id: acme-sentiment              (required; letters, digits, '.', '_', '-'; at most 64)
 * Bertj-Plugin-Version: 1.2.0                  (required; OSGi version, see {@link Version})
 * Bertj-Plugin-Requires: [1.0,2.0)             (required; range of core API versions, see {@link VersionRange})
 * Bertj-Plugin-Description: Sentiment head     (required, non-empty)
 * Bertj-Plugin-Vendor: ACME Inc.               (optional)
 * </pre>
 *
 * @param id          unique name of the plugin; two jars with the same id are two versions of one plugin
 * @param version     the plugin's own version
 * @param requires    the core API versions ({@code dev.bertj.core.spi.CoreApi#VERSION}) the plugin works with
 * @param description one line for people
 * @param vendor      who made it, or {@code null}
 */
public record PluginManifest(String id, Version version, VersionRange requires, String description, String vendor) {

    public static final String ID = "Bertj-Plugin-Id";
    public static final String VERSION = "Bertj-Plugin-Version";
    public static final String REQUIRES = "Bertj-Plugin-Requires";
    public static final String DESCRIPTION = "Bertj-Plugin-Description";
    public static final String VENDOR = "Bertj-Plugin-Vendor";

    /** Ids become names in URLs, metrics and directories: keep them plain (no '/', no '..', no spaces). */
    private static final Pattern ID_SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Whether {@code id} is a valid plugin id. */
    public static boolean isValidId(String id) {
        return id != null && ID_SYNTAX.matcher(id).matches() && !id.contains("..");
    }

    /**
     * Reads and checks the headers.
     *
     * @param manifest the jar's manifest, or {@code null} if it has none
     * @throws PluginManifestException listing every missing or invalid header with its value
     */
    public static PluginManifest read(Manifest manifest) throws PluginManifestException {
        if (manifest == null) {
            throw new PluginManifestException(null, List.of("the jar has no META-INF/MANIFEST.MF (it needs the headers "
                    + ID + ", " + VERSION + ", " + REQUIRES + " and " + DESCRIPTION + ")"));
        }
        Attributes main = manifest.getMainAttributes();
        List<String> problems = new ArrayList<>();

        String id = required(main, ID, problems);
        if (id != null && !isValidId(id)) {
            problems.add("header " + ID + " has an invalid value '" + id + "': expected 1 to 64 letters, digits, '.',"
                    + " '_' or '-', starting with a letter or digit, without '..'");
            id = null;
        }
        Version version = null;
        String versionText = required(main, VERSION, problems);
        if (versionText != null) {
            try {
                version = Version.parse(versionText);
            } catch (IllegalArgumentException e) {
                problems.add("header " + VERSION + " has an invalid value '" + versionText + "': " + e.getMessage());
            }
        }
        VersionRange requires = null;
        String requiresText = required(main, REQUIRES, problems);
        if (requiresText != null) {
            try {
                requires = VersionRange.parse(requiresText);
            } catch (IllegalArgumentException e) {
                problems.add("header " + REQUIRES + " has an invalid value '" + requiresText + "': " + e.getMessage());
            }
        }
        String description = required(main, DESCRIPTION, problems);
        String vendor = main.getValue(VENDOR);
        if (vendor != null && vendor.isBlank()) {
            vendor = null;
        }
        if (!problems.isEmpty()) {
            throw new PluginManifestException(id, problems);
        }
        return new PluginManifest(id, version, requires, description, vendor == null ? null : vendor.strip());
    }

    private static String required(Attributes main, String header, List<String> problems) {
        String value = main.getValue(header);
        if (value == null) {
            problems.add("header " + header + " is missing");
            return null;
        }
        if (value.isBlank()) {
            problems.add("header " + header + " is empty");
            return null;
        }
        return value.strip();
    }

    /** Writes these headers into {@code manifest}'s main section (for tools and tests that build plugin jars). */
    public void writeTo(Manifest manifest) {
        Attributes main = manifest.getMainAttributes();
        if (main.getValue(Attributes.Name.MANIFEST_VERSION) == null) {
            main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        }
        main.putValue(ID, id);
        main.putValue(VERSION, version.toString());
        main.putValue(REQUIRES, requires.toString());
        main.putValue(DESCRIPTION, description);
        if (vendor != null) {
            main.putValue(VENDOR, vendor);
        }
    }

    /** {@code id@version}, the label used in messages. */
    public String label() {
        return id + "@" + version;
    }
}
