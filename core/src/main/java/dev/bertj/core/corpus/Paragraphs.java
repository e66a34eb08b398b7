package dev.bertj.core.corpus;

import java.util.ArrayList;
import java.util.List;

/** Collects text into paragraphs, collapsing runs of whitespace and dropping empty paragraphs. */
final class Paragraphs {

    private final List<String> done = new ArrayList<>();
    private final StringBuilder current = new StringBuilder();
    private boolean pendingSpace;

    /** Appends text to the current paragraph; whitespace runs become one space. */
    void append(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                pendingSpace = current.length() > 0;
            } else {
                if (pendingSpace) {
                    current.append(' ');
                    pendingSpace = false;
                }
                current.append(c);
            }
        }
    }

    /** A word boundary: the next text starts after a space. */
    void space() {
        pendingSpace = current.length() > 0;
    }

    /** Ends the current paragraph. */
    void breakParagraph() {
        if (current.length() > 0) {
            done.add(current.toString());
            current.setLength(0);
        }
        pendingSpace = false;
    }

    /** The last character of the current paragraph, or a space when it is empty or ends in a word boundary. */
    char lastChar() {
        return current.length() == 0 || pendingSpace ? ' ' : current.charAt(current.length() - 1);
    }

    /** The paragraphs so far (ending the current one), and a fresh start. */
    List<String> take() {
        breakParagraph();
        List<String> out = List.copyOf(done);
        done.clear();
        return out;
    }
}
