package dev.bertj.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportTest {

    @Test
    void tablesEscapePipesAndCheckRowWidths() {
        String t = Report.table(List.of("a", "b"), List.of(List.of("1", "x|y")));
        assertThat(t).isEqualTo("| a | b |\n|---|---|\n| 1 | x\\|y |\n");
        assertThatThrownBy(() -> Report.table(List.of("a", "b"), List.of(List.of("1"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratiosSayNotApplicableWhenASideIsMissing() {
        assertThat(Report.ratio(3, 2)).isEqualTo("1.50x");
        assertThat(Report.ratio(3, 0)).isEqualTo("n/a");
        assertThat(Report.ratio(Double.NaN, 2)).isEqualTo("n/a");
    }

    @Test
    void summaryRowsSurviveTheFileRoundTrip(@TempDir Path dir) throws Exception {
        List<Report.SummaryRow> rows = List.of(new Report.SummaryRow("tokenizer\t1 thread", "2.7 M", "HF: 200 K", "13.5x"),
                new Report.SummaryRow("x", "", "-", "-"));
        Path f = dir.resolve("s.tsv");
        Report.writeSummary(f, rows);
        List<Report.SummaryRow> back = Report.readSummary(f);
        assertThat(back).hasSize(2);
        assertThat(back.get(0)).isEqualTo(new Report.SummaryRow("tokenizer 1 thread", "2.7 M", "HF: 200 K", "13.5x"));
        assertThat(back.get(1)).isEqualTo(rows.get(1));
        assertThat(Report.readSummary(dir.resolve("missing.tsv"))).isEmpty();
        Files.writeString(f, "only\ttwo\n");
        assertThatThrownBy(() -> Report.readSummary(f)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void assemblesFactsSummaryAndSectionsInOrder() {
        String md = Report.assemble("bertj benchmark report", List.of("CPU: test", "JDK: 17"), List.of(
                new Report.Section("limit", "Machine limit: FMA peak", "peak text", List.of(
                        new Report.SummaryRow("FMA", "500", "-", "-")), 12.4),
                new Report.Section("tokenizer", "Tokenizer vs HF", "tok text", List.of(
                        new Report.SummaryRow("tok", "2 M", "HF 0.2 M", "10.00x")), 30)));
        assertThat(md).startsWith("# bertj benchmark report\n\n- CPU: test\n- JDK: 17\n");
        assertThat(md).contains("| FMA | 500 | - | - |\n| tok | 2 M | HF 0.2 M | 10.00x |\n");
        assertThat(md).contains("[Machine limit: FMA peak](#machine-limit-fma-peak) (12 s)");
        assertThat(md.indexOf("## Machine limit")).isLessThan(md.indexOf("## Tokenizer vs HF"));
        assertThat(md).contains("peak text\n\n_Section wall time: 12 s._");
    }

    @Test
    void saysSoWhenNoSectionCompared() {
        assertThat(Report.assemble("t", List.of(), List.of())).contains("No section produced a comparison.");
    }

    @Test
    void anchorsFollowGithubsRule() {
        assertThat(Report.anchor("Encoder inference vs PyTorch (DJL)")).isEqualTo("encoder-inference-vs-pytorch-djl");
        assertThat(Report.anchor("Machine limit: FMA peak and GEMM")).isEqualTo("machine-limit-fma-peak-and-gemm");
    }
}
