package dev.bertj.app.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./bert eval}'s progress lines on stderr. */
class EvalProgressTest {

    @Test
    void aLineSaysHowManyHowFastAndHowLongToGo() {
        assertThat(EvalCommand.progressLine(2560, 10570, "questions", 512.0))
                .isEqualTo("eval: 2,560/10,570 questions (24.2%) | 5.0 questions/s | 00:08:32 elapsed | ETA 00:26:42");
        assertThat(EvalCommand.progressLine(10570, 10570, "questions", 2062.0))
                .isEqualTo("eval: 10,570/10,570 questions (100.0%) | 5.1 questions/s | 00:34:22 elapsed");
        assertThat(EvalCommand.progressLine(0, 0, "examples", 0.0))
                .isEqualTo("eval: 0/0 examples (100.0%) | 0.0 examples/s | 00:00:00 elapsed");
    }

    @Test
    void reportsAreThinnedToOneLineEveryFewSecondsButTheEndIsAlwaysPrinted() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var progress = EvalCommand.progressLines(new PrintStream(err, true, StandardCharsets.UTF_8), System.nanoTime());
        for (int done = 1; done < 100; done++) {
            progress.scored(done, 100, "questions");
        }
        progress.scored(100, 100, "questions");
        String[] lines = err.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertThat(lines).hasSize(1);
        assertThat(lines[0]).startsWith("eval: 100/100 questions (100.0%)");
    }
}
