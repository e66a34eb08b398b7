package dev.bertj.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class QualitySectionTest {

    @Test
    void readsTopLevelAndNestedMetricsFromJson(@TempDir Path dir) throws Exception {
        Path eval = dir.resolve("eval.json");
        Files.writeString(eval, "{\"exact_match\": 0.81, \"f1\": 0.88, \"seconds\": 12}");
        assertThat(QualitySection.find(eval, "exact_match")).get().extracting(QualitySection.Found::value).isEqualTo(0.81);
        assertThat(QualitySection.find(eval, "bleu")).isEmpty();
        Path nested = dir.resolve("nested.json");
        Files.writeString(nested, "{\"metrics\": {\"bleu\": 31.5}}");
        assertThat(QualitySection.find(nested, "bleu")).get().extracting(QualitySection.Found::value).isEqualTo(31.5);
    }

    @Test
    void takesTheLastHeldOutLineOfMetricsJsonl(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("metrics.jsonl");
        Files.writeString(m, """
                {"split":"train","step":10,"loss":0.5,"metrics":{"nsp_accuracy":0.99}}
                {"split":"eval","step":10,"metrics":{"nsp_accuracy":0.70}}
                {"split":"eval","step":20,"metrics":{"nsp_accuracy":0.77}}
                {"split":"train","step":30,"loss":0.4,"metrics":{"nsp_accuracy":0.95}}
                """);
        assertThat(QualitySection.find(m, "nsp_accuracy")).get().extracting(QualitySection.Found::value).isEqualTo(0.77);
        assertThat(QualitySection.find(m, "mlm_accuracy")).isEmpty();
    }

    @Test
    void brokenFilesAreSkipped(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{not json");
        assertThat(QualitySection.find(bad, "f1")).isEmpty();
    }

    @Test
    void theSuitesOwnDatedFoldersAreNotResults() {
        assertThat(QualitySection.isSuiteOutput(Path.of("2026-11-26/jmh.json"))).isTrue();
        assertThat(QualitySection.isSuiteOutput(Path.of("2026-11-26-quick/jmh.json"))).isTrue();
        assertThat(QualitySection.isSuiteOutput(Path.of("nsp/metrics.jsonl"))).isFalse();
        assertThat(QualitySection.isSuiteOutput(Path.of("encoder.md"))).isFalse();
    }
}
