package dev.bertj.app.model;

import dev.bertj.app.problem.ProblemException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Names a client may use for models, plugins and jobs, and the only paths they may lead to: one plain name
 * (letters, digits, '.', '_', '-'; no leading dot, no separators), resolved inside its directory, symbolic links
 * included. Everything else is refused before any file is touched.
 */
public final class SafeNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private SafeNames() {
    }

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }

    /** {@code name} or a 400 naming what kind of name it should have been. */
    public static String check(String what, String name) {
        if (!valid(name)) {
            throw ProblemException.badRequest(what + " must be 1-128 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit, without '..' or path separators; got " + quote(name));
        }
        return name;
    }

    /**
     * {@code dir/name}, after checking the name, and that the path (following links) stays inside {@code dir}.
     */
    public static Path inside(Path dir, String what, String name) {
        check(what, name);
        Path base = dir.toAbsolutePath().normalize();
        Path p = base.resolve(name).normalize();
        if (!p.getParent().equals(base)) {
            throw ProblemException.badRequest(what + " " + quote(name) + " leaves its directory");
        }
        try {
            if (Files.exists(p) && Files.exists(base) && !p.toRealPath().startsWith(base.toRealPath())) {
                throw ProblemException.badRequest(what + " " + quote(name) + " links outside its directory");
            }
        } catch (IOException e) {
            throw ProblemException.badRequest(what + " " + quote(name) + " cannot be resolved: " + e.getMessage());
        }
        return p;
    }

    static String quote(String s) {
        if (s == null) {
            return "nothing";
        }
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append('\'').toString();
    }
}
