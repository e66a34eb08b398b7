package dev.bertj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.io.AtomicFile;
import dev.bertj.core.report.LinePlot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The run's history: one JSON object per log interval ({@code "split": "train"}: step, lr, loss, metrics,
 * grad_norm, tokens/s, elapsed) and per evaluation ({@code "split": "eval"}), kept in memory for checkpoints and
 * written as {@code metrics.jsonl}, with the pictures {@code loss.svg} and {@code <metric>.svg} beside it.
 */
final class MetricsLog {

    static final String FILE = "metrics.jsonl";
    static final String LOSS_PLOT = "loss.svg";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final List<ObjectNode> entries = new ArrayList<>();

    /** @param dir where the files go, or null for memory only */
    MetricsLog(Path dir) {
        this.dir = dir;
    }

    Path directory() {
        return dir;
    }

    List<ObjectNode> entries() {
        return entries;
    }

    /** Starts the files afresh from {@code history} (empty for a new run; a checkpoint's history on resume). */
    void reset(JsonNode history) {
        entries.clear();
        if (history != null && history.isArray()) {
            for (JsonNode e : history) {
                if (e.isObject()) {
                    entries.add((ObjectNode) e.deepCopy());
                }
            }
        }
        if (dir == null) {
            return;
        }
        StringBuilder text = new StringBuilder();
        for (ObjectNode e : entries) {
            text.append(e.toString()).append('\n');
        }
        try {
            AtomicFile.writeString(dir.resolve(FILE), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    void append(ObjectNode entry) {
        entries.add(entry);
        if (dir == null) {
            return;
        }
        try {
            Files.writeString(dir.resolve(FILE), entry.toString() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    ArrayNode toJson() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        entries.forEach(e -> a.add(e.deepCopy()));
        return a;
    }

    /** Rewrites {@code loss.svg} and one picture per metric, each with its train and eval curves. */
    void writePlots() throws IOException {
        if (dir == null) {
            return;
        }
        LinePlot loss = new LinePlot("Loss", "step", "loss");
        addSeries(loss, "train", "loss", true);
        addSeries(loss, "eval", "loss", false);
        loss.write(dir.resolve(LOSS_PLOT), 900, 500);

        Set<String> names = new LinkedHashSet<>();
        for (ObjectNode e : entries) {
            for (Iterator<String> it = e.path("metrics").fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
        }
        names.remove("loss");
        for (String name : names) {
            LinePlot plot = new LinePlot(name, "step", name);
            addSeries(plot, "train", name, false);
            addSeries(plot, "eval", name, false);
            plot.write(dir.resolve(fileName(name) + ".svg"), 900, 500);
        }
    }

    static String fileName(String metric) {
        return metric.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    private void addSeries(LinePlot plot, String split, String key, boolean topLevel) {
        List<double[]> points = new ArrayList<>();
        for (ObjectNode e : entries) {
            if (!split.equals(e.path("split").asText())) {
                continue;
            }
            JsonNode v = topLevel ? e.path(key) : e.path("metrics").path(key);
            if (v.isNumber()) {
                points.add(new double[] {e.path("step").asDouble(), v.asDouble()});
            }
        }
        if (points.isEmpty()) {
            return;
        }
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
        String name = split + " " + key;
        if (split.equals("eval")) {
            plot.lineWithMarkers(name, x, y);
        } else {
            plot.line(name, x, y);
        }
    }

    static ObjectNode parse(String line) throws IOException {
        return (ObjectNode) JSON.readTree(line);
    }
}
