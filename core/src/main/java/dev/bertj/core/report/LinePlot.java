package dev.bertj.core.report;

import dev.bertj.core.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart written as SVG: axes with "nice" ticks (1, 2 or 5 times a power of ten), axis labels, a title, a
 * legend, one polyline per series. Made for loss curves (train and eval against the step), so it has no
 * dependencies and writes files any browser shows. Non-finite points are left out; very long series are reduced to
 * bucket means so the file stays small.
 */
public final class LinePlot {

    /** One named curve; {@code x} and {@code y} have the same length. */
    public record Series(String name, double[] x, double[] y, boolean markers) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values but " + y.length + " y values");
            }
        }
    }

    /** Colours that stay distinct for readers with the common colour-vision deficiencies (Okabe and Ito). */
    private static final String[] COLOURS = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};

    /** Series longer than this are plotted as this many bucket means. */
    static final int MAX_POINTS = 2000;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a curve drawn as a line. */
    public LinePlot line(String name, double[] x, double[] y) {
        series.add(new Series(name, x.clone(), y.clone(), false));
        return this;
    }

    /** Adds a curve drawn as a line with a marker at each point (for sparse series such as evaluations). */
    public LinePlot lineWithMarkers(String name, double[] x, double[] y) {
        series.add(new Series(name, x.clone(), y.clone(), true));
        return this;
    }

    public List<Series> series() {
        return List.copyOf(series);
    }

    /** Writes the SVG atomically (temp file + rename), so a reader never sees half a picture. */
    public void write(Path file, int width, int height) throws IOException {
        AtomicFile.writeString(file, toSvg(width, height));
    }

    /** The chart as an SVG document of {@code width} x {@code height} pixels. */
    public String toSvg(int width, int height) {
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException("plot must be at least 200 x 150 pixels, got " + width + " x " + height);
        }
        List<double[][]> points = new ArrayList<>();
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[][] p = reduce(finitePoints(s));
            points.add(p);
            for (int i = 0; i < p[0].length; i++) {
                xMin = Math.min(xMin, p[0][i]);
                xMax = Math.max(xMax, p[0][i]);
                yMin = Math.min(yMin, p[1][i]);
                yMax = Math.max(yMax, p[1][i]);
            }
        }
        if (xMin > xMax) { // no data yet: draw empty axes over [0, 1]
            xMin = 0;
            xMax = 1;
            yMin = 0;
            yMax = 1;
        }
        Axis xAxis = Axis.of(xMin, xMax, 8);
        Axis yAxis = Axis.of(yMin, yMax, 6);

        int left = 72;
        int right = 24;
        int top = 40;
        int bottom = 56;
        double plotW = width - left - right;
        double plotH = height - top - bottom;

        StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(svg, width / 2.0, 22, "middle", "font-size=\"15\"", title);

        // Grid, ticks and tick labels.
        svg.append("<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        for (double t : xAxis.ticks()) {
            double px = left + xAxis.fraction(t) * plotW;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>%n", px, top, px, top + plotH));
        }
        for (double t : yAxis.ticks()) {
            double py = top + (1 - yAxis.fraction(t)) * plotH;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n", left, py, left + plotW, py));
        }
        svg.append("</g>\n");
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>%n",
                left, top, plotW, plotH));
        for (double t : xAxis.ticks()) {
            double px = left + xAxis.fraction(t) * plotW;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>%n",
                    px, top + plotH, px, top + plotH + 5));
            text(svg, px, top + plotH + 18, "middle", "class=\"xtick\"", xAxis.label(t));
        }
        for (double t : yAxis.ticks()) {
            double py = top + (1 - yAxis.fraction(t)) * plotH;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#333\"/>%n",
                    left - 5, py, left, py));
            text(svg, left - 8, py + 4, "end", "class=\"ytick\"", yAxis.label(t));
        }
        text(svg, left + plotW / 2, height - 14, "middle", "", xLabel);
        svg.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
                top + plotH / 2, top + plotH / 2, escape(yLabel)));

        // Curves.
        for (int s = 0; s < series.size(); s++) {
            double[][] p = points.get(s);
            String colour = COLOURS[s % COLOURS.length];
            svg.append("<polyline class=\"series\" data-name=\"").append(escape(series.get(s).name()))
                    .append("\" fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.5\" points=\"");
            for (int i = 0; i < p[0].length; i++) {
                if (i > 0) {
                    svg.append(' ');
                }
                svg.append(String.format(Locale.ROOT, "%.2f,%.2f",
                        left + xAxis.fraction(p[0][i]) * plotW, top + (1 - yAxis.fraction(p[1][i])) * plotH));
            }
            svg.append("\"/>\n");
            if (series.get(s).markers()) {
                for (int i = 0; i < p[0].length; i++) {
                    svg.append(String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" fill=\"%s\"/>%n",
                            left + xAxis.fraction(p[0][i]) * plotW, top + (1 - yAxis.fraction(p[1][i])) * plotH, colour));
                }
            }
        }

        // Legend, top right inside the plot area.
        double ly = top + 16;
        for (int s = 0; s < series.size(); s++) {
            double lx = left + plotW - 150;
            String colour = COLOURS[s % COLOURS.length];
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    lx, ly - 4, lx + 20, ly - 4, colour));
            text(svg, lx + 26, ly, "start", "class=\"legend\"", series.get(s).name());
            ly += 16;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static double[][] finitePoints(Series s) {
        int n = 0;
        for (int i = 0; i < s.x().length; i++) {
            if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                n++;
            }
        }
        double[][] p = new double[2][n];
        int k = 0;
        for (int i = 0; i < s.x().length; i++) {
            if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                p[0][k] = s.x()[i];
                p[1][k] = s.y()[i];
                k++;
            }
        }
        return p;
    }

    /** Bucket means, so a million-step run still gives a small file with the same shape of curve. */
    private static double[][] reduce(double[][] p) {
        int n = p[0].length;
        if (n <= MAX_POINTS) {
            return p;
        }
        double[][] out = new double[2][MAX_POINTS];
        for (int b = 0; b < MAX_POINTS; b++) {
            int from = (int) ((long) b * n / MAX_POINTS);
            int to = (int) ((long) (b + 1) * n / MAX_POINTS);
            double sx = 0;
            double sy = 0;
            for (int i = from; i < to; i++) {
                sx += p[0][i];
                sy += p[1][i];
            }
            out[0][b] = sx / (to - from);
            out[1][b] = sy / (to - from);
        }
        return out;
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String attrs, String text) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"", x, y, anchor));
        if (!attrs.isEmpty()) {
            svg.append(' ').append(attrs);
        }
        svg.append('>').append(escape(text)).append("</text>\n");
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    // XML 1.0 forbids most control characters; drop them rather than write an unreadable file.
                    if (c >= 0x20 || c == '\t' || c == '\n') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** An axis range extended to nice tick values (after Heckbert, "Nice numbers for graph labels", Graphics Gems 1990). */
    record Axis(double min, double max, double step) {

        static Axis of(double lo, double hi, int maxTicks) {
            if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { // a flat series: give it some room
                double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                lo -= pad;
                hi += pad;
            }
            // The smallest nice step that needs at most maxTicks - 1 intervals (plus one when the ends round outwards).
            double step = nice((hi - lo) / (maxTicks - 1), false);
            return new Axis(Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step);
        }

        /** 1, 2, 5 or 10 times a power of ten: rounded ({@code round}) or at least {@code x}. */
        static double nice(double x, boolean round) {
            double exp = Math.floor(Math.log10(x));
            double f = x / Math.pow(10, exp);
            double nf;
            if (round) {
                nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
            } else {
                nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
            }
            return nf * Math.pow(10, exp);
        }

        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            long n = Math.round((max - min) / step);
            for (long i = 0; i <= n; i++) {
                t.add(min + i * step);
            }
            return t;
        }

        double fraction(double v) {
            return (v - min) / (max - min);
        }

        String label(double v) {
            if (Math.abs(v) < step * 1e-6) {
                return "0";
            }
            double a = Math.abs(v);
            if (a >= 1e6 || a < 1e-3) {
                return String.format(Locale.ROOT, "%.3g", v);
            }
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}
