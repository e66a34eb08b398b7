package dev.bertj.plugins;

import java.util.Objects;

/**
 * A range of versions in OSGi syntax.
 *
 * <ul>
 *   <li>{@code [1.0,2.0)}: from 1.0.0 included up to 2.0.0 excluded; {@code [} and {@code ]} include the bound,
 *       {@code (} and {@code )} exclude it;</li>
 *   <li>{@code [1.2,1.3]}: both bounds included;</li>
 *   <li>{@code 1.0}: a bare version means "at least": 1.0.0 and everything above.</li>
 * </ul>
 * One pair of surrounding double quotes is tolerated (OSGi manifests quote ranges because of the comma). A range
 * that no version can satisfy (floor above ceiling, or equal bounds not both included) is refused as a mistake.
 */
public final class VersionRange {

    private static final String SYNTAX = "expected an OSGi version range such as [1.0,2.0), (1.0,2.0], [1.2,1.3] or a"
            + " bare version 1.0 meaning 'at least 1.0'";

    private final Version floor;
    private final boolean floorIncluded;
    private final Version ceiling; // null: no upper bound
    private final boolean ceilingIncluded;

    private VersionRange(Version floor, boolean floorIncluded, Version ceiling, boolean ceilingIncluded) {
        this.floor = floor;
        this.floorIncluded = floorIncluded;
        this.ceiling = ceiling;
        this.ceilingIncluded = ceilingIncluded;
    }

    /** {@code floor} and every version above it. */
    public static VersionRange atLeast(Version floor) {
        return new VersionRange(Objects.requireNonNull(floor, "floor"), true, null, false);
    }

    /** An interval; refuses an interval no version can satisfy. */
    public static VersionRange between(Version floor, boolean floorIncluded, Version ceiling, boolean ceilingIncluded) {
        Objects.requireNonNull(floor, "floor");
        Objects.requireNonNull(ceiling, "ceiling");
        int c = floor.compareTo(ceiling);
        if (c > 0 || (c == 0 && !(floorIncluded && ceilingIncluded))) {
            throw new IllegalArgumentException("the range " + format(floor, floorIncluded, ceiling, ceilingIncluded)
                    + " is empty: no version satisfies it");
        }
        return new VersionRange(floor, floorIncluded, ceiling, ceilingIncluded);
    }

    /**
     * Parses a range; see the class comment for the syntax.
     *
     * @throws IllegalArgumentException naming the text and what is wrong with it
     */
    public static VersionRange parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no version range given: " + SYNTAX);
        }
        String s = text.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1).strip();
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty version range: " + SYNTAX);
        }
        char first = s.charAt(0);
        if (first != '[' && first != '(') {
            if (s.indexOf(',') >= 0 || s.endsWith("]") || s.endsWith(")")) {
                throw new IllegalArgumentException("'" + text + "' is not a version range (an interval must start"
                        + " with '[' or '('): " + SYNTAX);
            }
            return atLeast(parseBound(s, text));
        }
        char last = s.charAt(s.length() - 1);
        if (last != ']' && last != ')') {
            throw new IllegalArgumentException("'" + text + "' is not a version range (an interval must end with ']'"
                    + " or ')'): " + SYNTAX);
        }
        String inner = s.substring(1, s.length() - 1);
        int comma = inner.indexOf(',');
        if (comma < 0 || inner.indexOf(',', comma + 1) >= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a version range (an interval needs exactly two"
                    + " versions separated by one comma): " + SYNTAX);
        }
        Version floor = parseBound(inner.substring(0, comma), text);
        Version ceiling = parseBound(inner.substring(comma + 1), text);
        try {
            return between(floor, first == '[', ceiling, last == ']');
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }

    private static Version parseBound(String bound, String text) {
        try {
            return Version.parse(bound);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a version range: " + e.getMessage(), e);
        }
    }

    /** Whether {@code version} lies in this range. */
    public boolean includes(Version version) {
        int f = version.compareTo(floor);
        if (f < 0 || (f == 0 && !floorIncluded)) {
            return false;
        }
        if (ceiling == null) {
            return true;
        }
        int c = version.compareTo(ceiling);
        return c < 0 || (c == 0 && ceilingIncluded);
    }

    public Version floor() {
        return floor;
    }

    public boolean floorIncluded() {
        return floorIncluded;
    }

    /** The upper bound, or {@code null} for an "at least" range. */
    public Version ceiling() {
        return ceiling;
    }

    public boolean ceilingIncluded() {
        return ceilingIncluded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionRange r && r.floor.equals(floor) && r.floorIncluded == floorIncluded
                && Objects.equals(r.ceiling, ceiling) && r.ceilingIncluded == ceilingIncluded;
    }

    @Override
    public int hashCode() {
        return Objects.hash(floor, floorIncluded, ceiling, ceilingIncluded);
    }

    /** The canonical form, which {@link #parse} reads back: {@code [1.0.0,2.0.0)} or {@code 1.0.0}. */
    @Override
    public String toString() {
        return ceiling == null ? floor.toString() : format(floor, floorIncluded, ceiling, ceilingIncluded);
    }

    private static String format(Version floor, boolean floorIncluded, Version ceiling, boolean ceilingIncluded) {
        return (floorIncluded ? "[" : "(") + floor + "," + ceiling + (ceilingIncluded ? "]" : ")");
    }
}
