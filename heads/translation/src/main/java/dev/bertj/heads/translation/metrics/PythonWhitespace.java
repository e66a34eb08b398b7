package dev.bertj.heads.translation.metrics;

/**
 * Python's {@code str.split()} with no argument, which sacreBLEU uses to cut text into words: runs of Python
 * whitespace separate words, leading and trailing whitespace is dropped. Python's whitespace is Java's
 * {@link Character#isWhitespace} plus the no-break spaces (U+00A0, U+2007, U+202F) and NEL (U+0085), so
 * {@code String.split("\\s+")} would disagree with sacreBLEU on those.
 */
final class PythonWhitespace {

    private PythonWhitespace() {
    }

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || c == 0x85 || c == 0xA0 || c == 0x2007 || c == 0x202F;
    }

    /** {@code s.split()}: the words of {@code s}. */
    static java.util.List<String> split(String s) {
        java.util.List<String> words = new java.util.ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            if (isSpace(c)) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(c);
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }

    /** {@code s.rstrip()}. */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int c = s.codePointBefore(end);
            if (!isSpace(c)) {
                break;
            }
            end -= Character.charCount(c);
        }
        return s.substring(0, end);
    }
}
