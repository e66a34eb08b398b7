package dev.bertj.plugins;

import java.util.Objects;

/**
 * A version with OSGi semantics: {@code major.minor.micro.qualifier}.
 *
 * <p>Missing numeric parts are zero ({@code 1.2} is {@code 1.2.0}). Versions compare by major, minor and micro
 * numerically, then by qualifier as a string; no qualifier sorts before any qualifier, so {@code 1.0.0 <
 * 1.0.0.beta}. This is OSGi's rule, not Semantic Versioning's (where {@code 1.0.0-beta < 1.0.0}); a Maven version
 * such as {@code 1.0.0-SNAPSHOT} is therefore not accepted: write {@code 1.0.0.SNAPSHOT} or, better, a release
 * number.
 */
public final class Version implements Comparable<Version> {

    /** {@code 0.0.0}, the lowest version. */
    public static final Version ZERO = new Version(0, 0, 0, "");

    private static final String SYNTAX = "expected major[.minor[.micro[.qualifier]]] with non-negative integers and"
            + " a qualifier of letters, digits, '_' or '-', e.g. 1.2.0";

    private final int major;
    private final int minor;
    private final int micro;
    private final String qualifier;

    public Version(int major, int minor, int micro, String qualifier) {
        if (major < 0 || minor < 0 || micro < 0) {
            throw new IllegalArgumentException("version parts must be non-negative: " + major + "." + minor + "." + micro);
        }
        String q = qualifier == null ? "" : qualifier;
        if (!isQualifier(q) && !q.isEmpty()) {
            throw new IllegalArgumentException("'" + q + "' is not a version qualifier: " + SYNTAX);
        }
        this.major = major;
        this.minor = minor;
        this.micro = micro;
        this.qualifier = q;
    }

    public Version(int major, int minor, int micro) {
        this(major, minor, micro, "");
    }

    /**
     * Parses {@code major[.minor[.micro[.qualifier]]]}; surrounding whitespace is ignored.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static Version parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no version given: " + SYNTAX);
        }
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty version: " + SYNTAX);
        }
        // At most 4 parts; the qualifier (4th) may not contain dots.
        String[] parts = s.split("\\.", -1);
        if (parts.length > 4) {
            throw new IllegalArgumentException("'" + text + "' is not a version (more than four parts): " + SYNTAX);
        }
        int[] numbers = new int[3];
        for (int i = 0; i < Math.min(parts.length, 3); i++) {
            numbers[i] = number(parts[i], text);
        }
        String qualifier = "";
        if (parts.length == 4) {
            qualifier = parts[3];
            if (!isQualifier(qualifier)) {
                throw new IllegalArgumentException("'" + text + "' is not a version (bad qualifier '" + qualifier
                        + "'): " + SYNTAX);
            }
        }
        return new Version(numbers[0], numbers[1], numbers[2], qualifier);
    }

    private static int number(String part, String text) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a version (empty part): " + SYNTAX);
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("'" + text + "' is not a version ('" + part
                        + "' is not a non-negative integer): " + SYNTAX);
            }
        }
        try {
            return Integer.parseInt(part);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a version ('" + part + "' is too large): "
                    + SYNTAX);
        }
    }

    private static boolean isQualifier(String q) {
        if (q.isEmpty()) {
            return false;
        }
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public int major() {
        return major;
    }

    public int minor() {
        return minor;
    }

    public int micro() {
        return micro;
    }

    /** The qualifier, {@code ""} when there is none. */
    public String qualifier() {
        return qualifier;
    }

    @Override
    public int compareTo(Version o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(micro, o.micro);
        }
        if (c == 0) {
            c = qualifier.compareTo(o.qualifier);
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && v.major == major && v.minor == minor && v.micro == micro
                && v.qualifier.equals(qualifier);
    }

    @Override
    public int hashCode() {
        return Objects.hash(major, minor, micro, qualifier);
    }

    /** The canonical form: always three numbers, then {@code .qualifier} if there is one. */
    @Override
    public String toString() {
        String s = major + "." + minor + "." + micro;
        return qualifier.isEmpty() ? s : s + "." + qualifier;
    }
}
