package dev.bertj.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart written as SVG text: one or more series of (x, y) points, linear or log-2 x axis, a linear y
 * axis from 0, ticks, axis titles and a legend. Enough for the benchmark report's plots; no dependency.
 */
public final class Svg {

    /** One line of the chart. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException(name + ": " + x.length + " x values but " + y.length + " y values");
            }
        }
    }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f"};
    static final int WIDTH = 640;
    static final int HEIGHT = 400;
    static final int LEFT = 70;
    static final int RIGHT = 160;
    static final int TOP = 40;
    static final int BOTTOM = 50;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final List<Series> series = new ArrayList<>();

    public Svg(String title, String xLabel, String yLabel, boolean logX) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
    }

    public Svg add(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y));
        return this;
    }

    public List<Series> series() {
        return List.copyOf(series);
    }

    /** The whole SVG document. */
    public String render() {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(s.y[i])) {
                    continue;
                }
                xMin = Math.min(xMin, tx(s.x[i]));
                xMax = Math.max(xMax, tx(s.x[i]));
                yMax = Math.max(yMax, s.y[i]);
            }
        }
        if (xMin == Double.POSITIVE_INFINITY) {
            xMin = 0;
            xMax = 1;
        }
        if (xMax == xMin) {
            xMax = xMin + 1;
        }
        double yTop = niceCeiling(yMax <= 0 ? 1 : yMax);
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, escape(title)));
        // Axes.
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT,
                HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT,
                TOP, LEFT, HEIGHT - BOTTOM));
        // Y ticks: five steps from 0 to the rounded-up maximum.
        for (int i = 0; i <= 5; i++) {
            double v = yTop * i / 5;
            double py = HEIGHT - BOTTOM - plotH * i / 5;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, py, WIDTH - RIGHT, py));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                    py + 4, number(v)));
        }
        // X ticks at every distinct x of the data (benchmarks sweep a few chosen values).
        java.util.TreeSet<Double> xs = new java.util.TreeSet<>();
        for (Series s : series) {
            for (double x : s.x) {
                if (Double.isFinite(x)) {
                    xs.add(x);
                }
            }
        }
        if (xs.size() > 12) {
            xs.clear();
            for (int i = 0; i <= 6; i++) {
                xs.add(inverse(xMin + (xMax - xMin) * i / 6));
            }
        }
        for (double x : xs) {
            double px = LEFT + plotW * (tx(x) - xMin) / (xMax - xMin);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n",
                    px, HEIGHT - BOTTOM, px, HEIGHT - BOTTOM + 5));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px,
                    HEIGHT - BOTTOM + 18, number(x)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12, escape(xLabel + (logX ? " (log scale)" : ""))));
        sb.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">"
                + "%s</text>%n", (TOP + HEIGHT - BOTTOM) / 2, (TOP + HEIGHT - BOTTOM) / 2, escape(yLabel)));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String colour = COLOURS[k % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.x[i]) || !Double.isFinite(s.y[i])) {
                    continue;
                }
                double px = LEFT + plotW * (tx(s.x[i]) - xMin) / (xMax - xMin);
                double py = HEIGHT - BOTTOM - plotH * s.y[i] / yTop;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                if (s.x.length <= 40) {
                    sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px, py,
                            colour));
                }
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n",
                    colour, points.toString().trim()));
            int ly = TOP + 10 + 20 * k;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    WIDTH - RIGHT + 10, ly, WIDTH - RIGHT + 30, ly, colour));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 35, ly + 4,
                    escape(s.name)));
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private double tx(double x) {
        return logX ? Math.log(x) / Math.log(2) : x;
    }

    private double inverse(double t) {
        return logX ? Math.pow(2, t) : t;
    }

    /** The smallest 1, 2 or 5 times a power of ten that is >= v. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
