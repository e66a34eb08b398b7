package dev.bertj.core.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The live progress line on stderr: redrawn in place (at most 5 times a second) on a terminal, one plain line per
 * log interval otherwise (logs, CI, files):
 * <pre>step 1200/10000 (12.0%) | loss 3.2145 | mlm_accuracy 0.412 nsp_accuracy 0.871 | lr 9.80e-05 | 5,120 tok/s | 00:04:10 elapsed | ETA 00:30:33</pre>
 */
final class ProgressLine {

    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private long lastDraw;
    private String lastLine = "";

    ProgressLine(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    /** A terminal that understands carriage return and "erase line". */
    static boolean terminalAttached() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equals("dumb");
    }

    /**
     * Shows one step. Loss, metrics and throughput are averages over the current log interval (steadier than one
     * step); {@code logPoint} says the step closes an interval (the plain mode prints then).
     */
    void update(StepReport r, double meanLoss, Map<String, Double> meanMetrics, double tokensPerSecond, boolean logPoint) {
        String line = format(r, meanLoss, meanMetrics, tokensPerSecond);
        lastLine = line;
        if (interactive) {
            long now = System.nanoTime();
            if (now - lastDraw >= REDRAW_NANOS || r.step() == r.totalSteps()) {
                out.print("\r" + line + "\033[K");
                out.flush();
                lastDraw = now;
            }
        } else if (logPoint) {
            out.println(line);
            out.flush();
        }
    }

    /** A message on its own line (checkpoint written, evaluation results); the progress line is redrawn below it. */
    void message(String text) {
        if (interactive) {
            out.print("\r\033[K" + text + "\n" + lastLine);
        } else {
            out.println(text);
        }
        out.flush();
    }

    void finish() {
        if (interactive && !lastLine.isEmpty()) {
            out.println();
            out.flush();
        }
    }

    static String format(StepReport r, double meanLoss, Map<String, Double> meanMetrics, double tokensPerSecond) {
        StringBuilder b = new StringBuilder(160);
        b.append(String.format(Locale.ROOT, "step %d/%d (%.1f%%) | loss %.4f", r.step(), r.totalSteps(),
                100.0 * r.step() / r.totalSteps(), meanLoss));
        if (!meanMetrics.isEmpty()) {
            b.append(" |");
            meanMetrics.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.3f", k, v)));
        }
        b.append(String.format(Locale.ROOT, " | lr %.2e | %,.0f tok/s | %s elapsed | ETA %s", r.learningRate(),
                tokensPerSecond, duration(r.elapsedSeconds()), duration(r.etaSeconds())));
        return b.toString();
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "--:--:--";
        }
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
