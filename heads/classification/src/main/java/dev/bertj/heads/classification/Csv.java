package dev.bertj.heads.classification;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 4180 CSV reader: fields separated by commas, records by CRLF or LF; a field in double quotes may hold
 * commas, line breaks and doubled quotes ({@code ""} for one {@code "}). As Python's csv module, a quote inside an
 * unquoted field is an ordinary character, and characters after a closing quote are kept. An unterminated quote is
 * an error naming the line where the field started.
 */
final class Csv {

    /** One record and the line it starts on (1-based). */
    record Row(int line, List<String> fields) {
    }

    private final Reader in;
    private final String source;
    private final char delimiter;
    private int line = 1;
    private int pending = -2;

    Csv(Reader in, String source, char delimiter) {
        this.in = in;
        this.source = source;
        this.delimiter = delimiter;
    }

    private int read() throws IOException {
        if (pending != -2) {
            int c = pending;
            pending = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) {
        pending = c;
    }

    /** The next record, or null at the end of the input. Blank lines are records of one empty field. */
    Row next() throws IOException {
        int c = read();
        if (c < 0) {
            return null;
        }
        unread(c);
        int start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        while (true) {
            c = read();
            if (quoted) {
                if (c < 0) {
                    throw new IllegalArgumentException(source + ":" + start + ": a quoted field is not closed "
                            + "(a \" opens it and no matching \" ends it)");
                }
                if (c == '"') {
                    int d = read();
                    if (d == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        unread(d);
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append((char) c);
                }
                continue;
            }
            if (c < 0 || c == '\n' || c == '\r') {
                if (c == '\r') {
                    int d = read();
                    if (d != '\n') {
                        unread(d);
                    }
                }
                if (c >= 0) {
                    line++;
                }
                fields.add(field.toString());
                return new Row(start, fields);
            }
            if (c == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
                fieldStart = true;
                continue;
            }
            if (c == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
                continue;
            }
            fieldStart = false;
            field.append((char) c);
        }
    }
}
