package dev.bertj.benchmarks;

import org.junit.jupiter.api.Test;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SvgTest {

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** The polyline points of series k as (x, y) pixel pairs. */
    private static List<double[]> points(Document d, int k) {
        Element line = (Element) d.getElementsByTagName("polyline").item(k);
        List<double[]> out = new ArrayList<>();
        for (String p : line.getAttribute("points").split(" ")) {
            String[] xy = p.split(",");
            out.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return out;
    }

    @Test
    void writesWellFormedSvgWithOneLineAndLegendEntryPerSeries() throws Exception {
        Svg svg = new Svg("throughput <vs> batch & more", "batch", "seq/s", true)
                .add("bertj", new double[] {1, 8, 32}, new double[] {20, 40, 50})
                .add("ORT", new double[] {1, 8, 32}, new double[] {25, 45, 55});
        Document d = parse(svg.render()); // throws if not well-formed (the title needs escaping)
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(d.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        NodeList texts = d.getElementsByTagName("text");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < texts.getLength(); i++) {
            labels.add(texts.item(i).getTextContent());
        }
        assertThat(labels).contains("throughput <vs> batch & more", "bertj", "ORT", "1", "8", "32", "batch (log scale)");
    }

    @Test
    void placesPointsInsideThePlotAreaAndOrdersThemByValue() throws Exception {
        Document d = parse(new Svg("t", "x", "y", true)
                .add("a", new double[] {1, 8, 32}, new double[] {20, 40, 50}).render());
        List<double[]> p = points(d, 0);
        assertThat(p).hasSize(3);
        // Log-2 x axis: 1, 8, 32 are at 0, 3/5 and 5/5 of the plot width.
        double w = Svg.WIDTH - Svg.LEFT - Svg.RIGHT;
        assertThat(p.get(0)[0]).isCloseTo(Svg.LEFT, within(0.1));
        assertThat(p.get(1)[0]).isCloseTo(Svg.LEFT + w * 3 / 5, within(0.1));
        assertThat(p.get(2)[0]).isCloseTo(Svg.LEFT + w, within(0.1));
        // y axis from 0 to the rounded-up maximum (50 -> 50): larger values are higher (smaller pixel y).
        double h = Svg.HEIGHT - Svg.TOP - Svg.BOTTOM;
        assertThat(p.get(2)[1]).isCloseTo(Svg.TOP, within(0.1));
        assertThat(p.get(0)[1]).isCloseTo(Svg.HEIGHT - Svg.BOTTOM - h * 20 / 50, within(0.1));
    }

    @Test
    void skipsNonFiniteValues() throws Exception {
        Document d = parse(new Svg("t", "x", "y", false)
                .add("a", new double[] {1, 2, 3}, new double[] {1, Double.NaN, 3}).render());
        assertThat(points(d, 0)).hasSize(2);
    }

    @Test
    void roundsTheAxisMaximumUpToOneTwoOrFive() {
        assertThat(Svg.niceCeiling(0.7)).isEqualTo(1, within(1e-12));
        assertThat(Svg.niceCeiling(13)).isEqualTo(20, within(1e-12));
        assertThat(Svg.niceCeiling(200)).isEqualTo(200, within(1e-12));
        assertThat(Svg.niceCeiling(420)).isEqualTo(500, within(1e-12));
        assertThat(Svg.niceCeiling(501)).isEqualTo(1000, within(1e-12));
    }

    @Test
    void rejectsSeriesOfUnequalLength() {
        assertThatThrownBy(() -> new Svg("t", "x", "y", false).add("a", new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a:");
    }
}
