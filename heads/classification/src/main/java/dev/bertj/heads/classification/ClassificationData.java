package dev.bertj.heads.classification;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bertj.core.head.HeadFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads labelled texts from TSV, CSV (RFC 4180) or JSON lines. Options:
 * <ul>
 * <li>{@code format}: {@code tsv}, {@code csv} or {@code jsonl}; by default from the file extension
 *     ({@code .csv}, {@code .jsonl}/{@code .json}, anything else TSV);</li>
 * <li>{@code header}: whether the first TSV/CSV line names the columns (default true);</li>
 * <li>{@code text_column}: the text's column (a name, or a 0-based index); by default the first of {@code text},
 *     {@code sentence}, {@code sentence1}, {@code question} present, or column 0 without a header;</li>
 * <li>{@code text_pair_column}: the second text of a pair; by default {@code text_pair} or {@code sentence2} when
 *     present, else none;</li>
 * <li>{@code label_column}: the label's column; by default {@code label}, or the last column without a header;</li>
 * <li>{@code label_separator}: for multi-label data in TSV/CSV, what separates the labels of one row (default
 *     {@code ,}); in JSON lines a multi-label value is an array.</li>
 * </ul>
 * GLUE's SST-2 ({@code sentence<TAB>label} with a header) reads with the defaults. TSV has no quoting (as GLUE's
 * files); a row with too few fields, a missing column or an empty label is an error naming the file and line.
 */
public final class ClassificationData {

    static final List<String> TEXT_COLUMNS = List.of("text", "sentence", "sentence1", "question");
    static final List<String> PAIR_COLUMNS = List.of("text_pair", "sentence2");

    private ClassificationData() {
    }

    public static List<ClassificationExample> read(Path file, Map<String, String> options, boolean multiLabel)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such file");
        }
        String format = options.getOrDefault("format", formatOf(file)).toLowerCase(Locale.ROOT);
        List<ClassificationExample> out = switch (format) {
            case "tsv" -> readDelimited(file, options, multiLabel, '\t');
            case "csv" -> readDelimited(file, options, multiLabel, ',');
            case "jsonl" -> readJsonLines(file, options, multiLabel);
            default -> throw new IllegalArgumentException("unknown data format '" + format + "' (tsv, csv or jsonl)");
        };
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no examples");
        }
        return out;
    }

    static String formatOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "csv";
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return "jsonl";
        }
        return "tsv";
    }

    /** Column positions of the text, the optional pair and the label. */
    private record Columns(int text, int pair, int label, List<String> names) {
    }

    private static List<ClassificationExample> readDelimited(Path file, Map<String, String> options,
                                                             boolean multiLabel, char delimiter) throws IOException {
        boolean header = bool(options.getOrDefault("header", "true"), "header");
        String separator = options.getOrDefault("label_separator", ",");
        List<ClassificationExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Csv csv = delimiter == ',' ? new Csv(r, file.toString(), ',') : null;
            Columns cols = null;
            int lineNo = 0;
            while (true) {
                List<String> fields;
                int line;
                if (csv != null) {
                    Csv.Row row = csv.next();
                    if (row == null) {
                        break;
                    }
                    fields = row.fields();
                    line = row.line();
                } else {
                    String s = r.readLine();
                    if (s == null) {
                        break;
                    }
                    line = ++lineNo;
                    fields = List.of(s.split("\t", -1));
                }
                if (fields.size() == 1 && fields.get(0).isBlank()) {
                    continue;
                }
                if (cols == null) {
                    if (header) {
                        cols = columns(file, options, fields);
                        continue;
                    }
                    cols = columns(file, options, null);
                }
                String where = file + ":" + line;
                // Without a header and a label_column, the label is the last field of each row.
                int label = cols.label() == -2 ? fields.size() - 1 : cols.label();
                int needed = Math.max(cols.text(), Math.max(cols.pair(), label)) + 1;
                if (fields.size() < needed || (cols.label() == -2 && fields.size() < 2)) {
                    throw new IllegalArgumentException(where + ": " + fields.size() + " field(s), but the "
                            + describe(cols, needed - 1) + " column is field " + Math.max(needed, 2)
                            + (cols.names() != null ? " of " + cols.names() : ""));
                }
                String text = fields.get(cols.text());
                String pair = cols.pair() >= 0 ? fields.get(cols.pair()) : null;
                List<String> labels = labels(fields.get(label), multiLabel, separator, where);
                out.add(new ClassificationExample(text, pair, labels));
            }
        }
        return out;
    }

    private static String describe(Columns cols, int index) {
        if (index == cols.text()) {
            return "text";
        }
        return index == cols.pair() ? "text pair" : "label";
    }

    private static Columns columns(Path file, Map<String, String> options, List<String> header) {
        if (header != null && !header.isEmpty()) {
            // A UTF-8 byte order mark would otherwise become part of the first column's name.
            header = new ArrayList<>(header);
            header.set(0, header.get(0).replace("\uFEFF", ""));
        }
        int text = column(file, options.get("text_column"), header, TEXT_COLUMNS, "text_column", 0);
        int pair = options.containsKey("text_pair_column")
                ? column(file, options.get("text_pair_column"), header, List.of(), "text_pair_column", -1)
                : header == null ? -1 : firstPresent(header, PAIR_COLUMNS);
        int label = column(file, options.get("label_column"), header, List.of("label"), "label_column", -2);
        return new Columns(text, pair, label, header);
    }

    /**
     * A column given by name or index, else the first default name present, else {@code fallback} (an index;
     * -1 none; -2 the last column).
     */
    private static int column(Path file, String given, List<String> header, List<String> defaults, String option,
                              int fallback) {
        if (given != null) {
            if (header != null && header.contains(given)) {
                return header.indexOf(given);
            }
            if (given.matches("\\d+")) {
                return Integer.parseInt(given);
            }
            throw new IllegalArgumentException(file + ": " + option + " '" + given + "' is not a column"
                    + (header == null ? " index (the file has no header line)" : "; the columns are " + header));
        }
        if (header != null) {
            int i = firstPresent(header, defaults);
            if (i >= 0) {
                return i;
            }
            throw new IllegalArgumentException(file + ": no " + String.join("/", defaults) + " column; the columns are "
                    + header + " (name the column with " + option + ")");
        }
        return fallback;
    }

    private static int firstPresent(List<String> header, List<String> names) {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> labels(String value, boolean multiLabel, String separator, String where) {
        String v = value.strip();
        if (!multiLabel) {
            if (v.isEmpty()) {
                throw new IllegalArgumentException(where + ": empty label");
            }
            return List.of(v);
        }
        List<String> out = new ArrayList<>();
        if (!v.isEmpty()) {
            for (String part : v.split(java.util.regex.Pattern.quote(separator), -1)) {
                String label = part.strip();
                if (label.isEmpty()) {
                    throw new IllegalArgumentException(where + ": an empty label in '" + value + "'");
                }
                if (!out.contains(label)) {
                    out.add(label);
                }
            }
        }
        return out;
    }

    private static List<ClassificationExample> readJsonLines(Path file, Map<String, String> options, boolean multiLabel)
            throws IOException {
        String textKey = options.get("text_column");
        String pairKey = options.get("text_pair_column");
        String labelKey = options.getOrDefault("label_column", "label");
        List<ClassificationExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String s;
            int line = 0;
            while ((s = r.readLine()) != null) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                String where = file + ":" + line;
                JsonNode o;
                try {
                    o = HeadFiles.json().readTree(s);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
                }
                if (!o.isObject()) {
                    throw new IllegalArgumentException(where + ": expected a JSON object per line");
                }
                String tk = textKey != null ? textKey : firstKey(o, TEXT_COLUMNS);
                if (tk == null || !o.hasNonNull(tk)) {
                    throw new IllegalArgumentException(where + ": no text field "
                            + (textKey != null ? "'" + textKey + "'" : String.join("/", TEXT_COLUMNS))
                            + "; the fields are " + fieldNames(o) + " (name it with text_column)");
                }
                String pk = pairKey != null ? pairKey : firstKey(o, PAIR_COLUMNS);
                if (pairKey != null && !o.hasNonNull(pairKey)) {
                    throw new IllegalArgumentException(where + ": no text pair field '" + pairKey + "'");
                }
                JsonNode label = o.get(labelKey);
                if (label == null || label.isNull()) {
                    throw new IllegalArgumentException(where + ": no label field '" + labelKey + "'; the fields are "
                            + fieldNames(o) + " (name it with label_column)");
                }
                List<String> labels;
                if (label.isArray()) {
                    if (!multiLabel && label.size() != 1) {
                        throw new IllegalArgumentException(where + ": " + label.size()
                                + " labels for a single-label head (use problem_type=multi_label_classification)");
                    }
                    labels = new ArrayList<>();
                    for (JsonNode l : label) {
                        String v = l.asText().strip();
                        if (v.isEmpty()) {
                            throw new IllegalArgumentException(where + ": an empty label");
                        }
                        if (!labels.contains(v)) {
                            labels.add(v);
                        }
                    }
                } else {
                    labels = labels(label.asText(), multiLabel, options.getOrDefault("label_separator", ","), where);
                }
                out.add(new ClassificationExample(o.get(tk).asText(), pk != null && o.hasNonNull(pk) ? o.get(pk).asText() : null,
                        labels));
            }
        }
        return out;
    }

    private static String firstKey(JsonNode o, List<String> keys) {
        for (String k : keys) {
            if (o.hasNonNull(k)) {
                return k;
            }
        }
        return null;
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static boolean bool(String v, String option) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(option + " must be true or false, got '" + v + "'");
        };
    }
}
