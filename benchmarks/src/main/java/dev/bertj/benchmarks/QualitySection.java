package dev.bertj.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Task quality, read from the evaluation outputs published under benchmarks/results/ (not measured here: the runs
 * take hours). Looks in every {@code *.json} (what {@code ./bert eval} prints) and in the held-out ("eval") lines of
 * every {@code metrics.jsonl} (what training commands write); the newest file wins. A metric with no published
 * result says so, with the command that would produce it.
 */
final class QualitySection {

    private QualitySection() {
    }

    /** One metric to look for: its key, which result paths qualify, and how to produce it when missing. */
    record Wanted(String name, String key, Predicate<String> path, boolean percent, String command) {
    }

    /** A value found: where, and the value. */
    record Found(Path file, double value, long modified) {
    }

    static final List<Wanted> WANTED = List.of(
            new Wanted("SQuAD v1.1 dev exact match", "exact_match", p -> true, true,
                    "./bert finetune --head qa --model bert-base-uncased --train train-v1.1.json --eval dev-v1.1.json "
                            + "--out qa-bert-base && ./bert eval --head qa --model qa-bert-base --data dev-v1.1.json"),
            new Wanted("SQuAD v1.1 dev F1", "f1", p -> p.contains("squad") || p.contains("qa"), true,
                    "(the same eval prints f1)"),
            new Wanted("SST-2 dev accuracy", "accuracy", p -> p.contains("sst"), true,
                    "./bert finetune --head classification --model bert-base-uncased --train SST-2/train.tsv --eval "
                            + "SST-2/dev.tsv --out sst2-bert-base && ./bert eval --head classification --model "
                            + "sst2-bert-base --data SST-2/dev.tsv"),
            new Wanted("Multi30k en-de test BLEU", "bleu", p -> true, false,
                    "./bert finetune --head translation --model bert-base-uncased --train multi30k-train.tsv --eval "
                            + "multi30k-val.tsv --out mt-bert-base && ./bert eval --head translation --model mt-bert-base "
                            + "--data multi30k-test.tsv"),
            new Wanted("pre-training masked-LM accuracy (held-out)", "mlm_accuracy", p -> true, true,
                    "./bert corpus ... --out pretrain.txt --heldout-out heldout.txt && ./bert pretrain --corpus "
                            + "pretrain.txt --eval-corpus heldout.txt --config tiny --out pretrain-tiny"),
            new Wanted("pre-training next-sentence accuracy (held-out)", "nsp_accuracy", p -> p.contains("pretrain"), true,
                    "(the same pre-training run's eval lines)"),
            new Wanted("NSP head on bert-base-uncased (held-out pairs)", "nsp_accuracy", p -> p.contains("nsp"), true,
                    "see benchmarks/results/nsp/README.md"));

    static void run(SuiteContext ctx) throws IOException {
        Path results = ctx.repo.resolve("benchmarks/results");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(results, 4)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !isSuiteOutput(results.relativize(p)))
                    .filter(p -> p.toString().endsWith(".json") || p.getFileName().toString().equals("metrics.jsonl"))
                    .toList();
        }
        List<List<String>> rows = new ArrayList<>();
        for (Wanted w : WANTED) {
            Optional<Found> best = files.stream()
                    .filter(f -> w.path.test(results.relativize(f).toString().toLowerCase(Locale.ROOT)))
                    .map(f -> find(f, w.key))
                    .flatMap(Optional::stream)
                    .max(Comparator.comparingLong(Found::modified));
            if (best.isPresent()) {
                Found f = best.get();
                String value = w.percent && f.value <= 1.0 ? String.format(Locale.ROOT, "%.1f%%", 100 * f.value)
                        : String.format(Locale.ROOT, "%.2f", f.value);
                rows.add(List.of(w.name, "**" + value + "**", "`benchmarks/results/" + results.relativize(f.file) + "`"));
                ctx.summary(w.name, value, "-", "-");
            } else {
                rows.add(List.of(w.name, "not yet measured", "`" + w.command + "`"));
            }
        }
        ctx.para("Read from the evaluation outputs under `benchmarks/results/` (the newest file holding each metric; "
                + "the eval lines of training runs' `metrics.jsonl` count). These runs take hours on this machine and "
                + "SQuAD, SST-2 and Multi30k may not be redistributed here, so the suite does not run them; the "
                + "command column says what produces a missing one (with your own copy of the data).");
        ctx.para(Report.table(List.of("metric", "value", "source, or the command that would produce it"), rows));
    }

    /** The suite's own dated output folders (e.g. 2026-11-26/) are not evaluation results. */
    static boolean isSuiteOutput(Path relative) {
        return relative.getNameCount() > 1 && relative.getName(0).toString().matches("\\d{4}-\\d{2}-\\d{2}.*");
    }

    /** The metric in a JSON file (top level or under "metrics"), or in the last held-out line of a metrics.jsonl. */
    static Optional<Found> find(Path file, String key) {
        ObjectMapper json = new ObjectMapper();
        try {
            long modified = Files.getLastModifiedTime(file).toMillis();
            if (file.getFileName().toString().endsWith(".jsonl")) {
                Double last = null;
                for (String line : Files.readAllLines(file)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n = json.readTree(line);
                    if (!"eval".equals(n.path("split").asText())) {
                        continue;
                    }
                    Double v = value(n, key);
                    if (v != null) {
                        last = v;
                    }
                }
                return last == null ? Optional.empty() : Optional.of(new Found(file, last, modified));
            }
            Double v = value(json.readTree(file.toFile()), key);
            return v == null ? Optional.empty() : Optional.of(new Found(file, v, modified));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Double value(JsonNode n, String key) {
        if (n == null || !n.isObject()) {
            return null;
        }
        if (n.path(key).isNumber()) {
            return n.get(key).asDouble();
        }
        if (n.path("metrics").path(key).isNumber()) {
            return n.get("metrics").get(key).asDouble();
        }
        return null;
    }
}
