package dev.bertj.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LinePlotTest {

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document d, String cls) {
        List<String> out = new ArrayList<>();
        NodeList nodes = d.getElementsByTagName("text");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (cls.equals(e.getAttribute("class"))) {
                out.add(e.getTextContent());
            }
        }
        return out;
    }

    @Test
    void drawsAxesNiceTicksLabelsAndOneLinePerSeries() throws Exception {
        double[] steps = {0, 250, 500, 750, 1000};
        LinePlot plot = new LinePlot("Loss <train & eval>", "step", "loss")
                .line("train loss", steps, new double[] {10.4, 7.0, 5.2, 4.1, 3.3})
                .lineWithMarkers("eval loss", new double[] {500, 1000}, new double[] {5.6, 3.9});
        Document d = parse(plot.toSvg(800, 400));

        assertThat(texts(d, "xtick")).containsExactly("0", "200", "400", "600", "800", "1000");
        assertThat(texts(d, "ytick")).containsExactly("2", "4", "6", "8", "10", "12");
        assertThat(texts(d, "legend")).containsExactly("train loss", "eval loss");
        NodeList all = d.getElementsByTagName("text");
        List<String> every = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            every.add(all.item(i).getTextContent());
        }
        assertThat(every).contains("Loss <train & eval>", "step", "loss");

        NodeList lines = d.getElementsByTagName("polyline");
        assertThat(lines.getLength()).isEqualTo(2);
        String[] points = ((Element) lines.item(0)).getAttribute("points").split(" ");
        assertThat(points).hasSize(5);
        // The plot area is x 72..776, y 40..344 for 800 x 400; x range 0..1000, y range 2..12.
        double[] first = parsePoint(points[0]);
        double[] last = parsePoint(points[4]);
        assertThat(first[0]).isCloseTo(72, offset(0.01));
        assertThat(last[0]).isCloseTo(776, offset(0.01));
        assertThat(first[1]).isCloseTo(40 + (1 - (10.4 - 2) / 10) * 304, offset(0.01));
        assertThat(last[1]).isCloseTo(40 + (1 - (3.3 - 2) / 10) * 304, offset(0.01));
        assertThat(d.getElementsByTagName("circle").getLength()).isEqualTo(2);
    }

    private static double[] parsePoint(String p) {
        String[] xy = p.split(",");
        return new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])};
    }

    @Test
    void handlesEmptyFlatNonFiniteAndLongSeries(@TempDir Path tmp) throws Exception {
        assertThat(parse(new LinePlot("empty", "x", "y").toSvg(400, 300)).getElementsByTagName("polyline").getLength()).isZero();

        Document flat = parse(new LinePlot("flat", "x", "y").line("c", new double[] {1, 2}, new double[] {0.5, 0.5}).toSvg(400, 300));
        assertThat(texts(flat, "ytick")).isNotEmpty();

        Document gaps = parse(new LinePlot("nan", "x", "y")
                .line("c", new double[] {1, 2, 3}, new double[] {1, Double.NaN, Double.POSITIVE_INFINITY}).toSvg(400, 300));
        assertThat(((Element) gaps.getElementsByTagName("polyline").item(0)).getAttribute("points").split(" ")).hasSize(1);

        int n = 100_000;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = 1.0 / (1 + i);
        }
        Path file = tmp.resolve("long.svg");
        new LinePlot("long", "step", "loss").line("train", x, y).write(file, 900, 500);
        Document longDoc = parse(Files.readString(file));
        assertThat(((Element) longDoc.getElementsByTagName("polyline").item(0)).getAttribute("points").split(" "))
                .hasSize(LinePlot.MAX_POINTS);
        assertThat(Files.size(file)).isLessThan(100_000);
        assertThat(texts(longDoc, "xtick")).contains("0", "100000");

        assertThatThrownBy(() -> new LinePlot("t", "x", "y").line("bad", new double[2], new double[3]))
                .hasMessageContaining("bad");
        assertThat(LinePlot.escape("a\u0001<b>")).isEqualTo("a&lt;b&gt;");
    }

    @Test
    void niceNumbers() {
        assertThat(LinePlot.Axis.nice(0.63, true)).isEqualTo(0.5);
        assertThat(LinePlot.Axis.nice(0.73, true)).isEqualTo(1.0);
        assertThat(LinePlot.Axis.nice(0.73, false)).isEqualTo(1.0);
        assertThat(LinePlot.Axis.nice(2.6, true)).isEqualTo(2.0);
        assertThat(LinePlot.Axis.nice(3.1, true)).isEqualTo(5.0);
        assertThat(LinePlot.Axis.nice(180, true)).isEqualTo(200.0);
        LinePlot.Axis a = LinePlot.Axis.of(0.013, 0.087, 6);
        assertThat(a.step()).isCloseTo(0.02, offset(1e-15));
        assertThat(a.min()).isCloseTo(0.0, offset(1e-15));
        assertThat(a.max()).isCloseTo(0.1, offset(1e-15));
        assertThat(a.ticks()).hasSize(6);
        assertThat(a.label(0.06)).isEqualTo("0.06");
    }
}
