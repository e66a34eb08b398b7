package dev.bertj.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pieces of report.md: Markdown tables, the summary rows each section contributes (what the README's performance
 * table is copied from), and the assembly of the header, summary and sections into one document.
 */
public final class Report {

    private Report() {
    }

    /** One line of the summary table: bertj's figure, the peer's (named, with its setting), and the ratio. */
    public record SummaryRow(String what, String bertj, String peer, String ratio) {
        String tsv() {
            return String.join("\t", clean(what), clean(bertj), clean(peer), clean(ratio));
        }

        static SummaryRow parse(String line) {
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new IllegalArgumentException("a summary row has 4 tab-separated fields, got " + f.length + ": " + line);
            }
            return new SummaryRow(f[0], f[1], f[2], f[3]);
        }

        private static String clean(String s) {
            return s.replace('\t', ' ').replace('\n', ' ');
        }
    }

    /** A finished section: its title, Markdown body, summary rows and how long it took. */
    public record Section(String id, String title, String body, List<SummaryRow> summary, double seconds) {
    }

    /** A Markdown table; cells are escaped for '|'. */
    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", header.stream().map(Report::cell).toList())).append(" |\n");
        sb.append("|").append("---|".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("row has " + row.size() + " cells, header " + header.size() + ": " + row);
            }
            sb.append("| ").append(String.join(" | ", row.stream().map(Report::cell).toList())).append(" |\n");
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace('\n', ' ');
    }

    /** "1.23x" for a ratio, "n/a" when either side is missing. */
    public static String ratio(double ours, double theirs) {
        if (!Double.isFinite(ours) || !Double.isFinite(theirs) || theirs == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2fx", ours / theirs);
    }

    public static void writeSummary(Path file, List<SummaryRow> rows) throws IOException {
        List<String> lines = rows.stream().map(SummaryRow::tsv).toList();
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    public static List<SummaryRow> readSummary(Path file) throws IOException {
        List<SummaryRow> rows = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add(SummaryRow.parse(line));
                }
            }
        }
        return rows;
    }

    /**
     * report.md: title, the run's facts (header lines, as given), the summary table of every section's rows, then
     * each section under its own heading with its wall time.
     */
    public static String assemble(String title, List<String> facts, List<Section> sections) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        for (String f : facts) {
            sb.append("- ").append(f).append('\n');
        }
        sb.append('\n');
        List<List<String>> summary = new ArrayList<>();
        for (Section s : sections) {
            for (SummaryRow r : s.summary()) {
                summary.add(List.of(r.what(), r.bertj(), r.peer(), r.ratio()));
            }
        }
        sb.append("## Summary\n\n");
        if (summary.isEmpty()) {
            sb.append("No section produced a comparison.\n\n");
        } else {
            sb.append(table(List.of("what", "bertj", "peer", "ratio"), summary)).append('\n');
        }
        sb.append("Sections: ");
        List<String> links = new ArrayList<>();
        for (Section s : sections) {
            links.add(String.format(Locale.ROOT, "[%s](#%s) (%.0f s)", s.title(), anchor(s.title()), s.seconds()));
        }
        sb.append(String.join(", ", links)).append(".\n\n");
        for (Section s : sections) {
            sb.append("## ").append(s.title()).append("\n\n");
            sb.append(s.body().strip()).append("\n\n");
            sb.append(String.format(Locale.ROOT, "_Section wall time: %.0f s._%n%n", s.seconds()));
        }
        return sb.toString();
    }

    /** GitHub's heading anchor: lower case, spaces to '-', punctuation other than '-' and '_' dropped. */
    static String anchor(String heading) {
        StringBuilder sb = new StringBuilder();
        for (char c : heading.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                sb.append(c);
            } else if (c == ' ') {
                sb.append('-');
            }
        }
        return sb.toString();
    }
}
