package dev.bertj.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What one section of {@link BenchSuite} writes into: its Markdown body, its summary rows and its plots. */
public final class SuiteContext {

    final boolean quick;
    final Path out;
    final Path repo;
    private final StringBuilder body = new StringBuilder();
    private final List<Report.SummaryRow> summary = new ArrayList<>();

    SuiteContext(boolean quick, Path out, Path repo) {
        this.quick = quick;
        this.out = out;
        this.repo = repo;
    }

    /** Appends a paragraph (or table) to the body, followed by a blank line. */
    SuiteContext para(String text) {
        body.append(text.strip()).append("\n\n");
        return this;
    }

    SuiteContext paraf(String format, Object... args) {
        return para(String.format(Locale.ROOT, format, args));
    }

    SuiteContext summary(String what, String bertj, String peer, String ratio) {
        summary.add(new Report.SummaryRow(what, bertj, peer, ratio));
        return this;
    }

    /** Writes a plot next to report.md and links it from the body. */
    void plot(String file, Svg svg) throws IOException {
        Files.writeString(out.resolve(file), svg.render(), StandardCharsets.UTF_8);
        para("![" + file + "](" + file + ")");
    }

    String body() {
        return body.toString();
    }

    List<Report.SummaryRow> summary() {
        return List.copyOf(summary);
    }
}
