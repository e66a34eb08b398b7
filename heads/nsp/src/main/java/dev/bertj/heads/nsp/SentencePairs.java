package dev.bertj.heads.nsp;

import dev.bertj.core.nn.Rng;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading labelled sentence pairs, or drawing them from a corpus as BERT's NSP task does. */
final class SentencePairs {

    private SentencePairs() {
    }

    static List<SentencePair> readTsv(Path file) throws IOException {
        List<SentencePair> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 3) {
                    throw new IllegalArgumentException(file + ":" + n + ": expected text_a<TAB>text_b<TAB>label, got "
                            + f.length + " fields");
                }
                out.add(new SentencePair(f[0], f[1], isNext(f[2].trim(), file, n)));
            }
        }
        return out;
    }

    private static boolean isNext(String label, Path file, int line) {
        return switch (label) {
            case "0", "IsNext", "is_next", "true" -> true;
            case "1", "NotNext", "not_next", "false" -> false;
            default -> throw new IllegalArgumentException(file + ":" + line + ": label '" + label
                    + "' is not IsNext/NotNext (or 0 = is next, 1 = not next)");
        };
    }

    /**
     * Balanced pairs from a corpus in BERT's layout: for each sentence with a successor in its document, with
     * probability 1/2 the real successor (IsNext), else a random sentence from a different document (NotNext).
     */
    static List<SentencePair> fromCorpus(Path file, long seed, int maxPairs) throws IOException {
        List<List<String>> documents = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    documents.add(current);
                    current = new ArrayList<>();
                }
            } else {
                current.add(line.strip());
            }
        }
        if (!current.isEmpty()) {
            documents.add(current);
        }
        if (documents.size() < 2) {
            throw new IllegalArgumentException(file + ": NSP pairs need at least two documents (blank-line separated)");
        }
        Rng rng = new Rng(seed);
        List<SentencePair> pairs = new ArrayList<>();
        for (int d = 0; d < documents.size() && pairs.size() < maxPairs; d++) {
            List<String> doc = documents.get(d);
            for (int s = 0; s + 1 < doc.size() && pairs.size() < maxPairs; s++) {
                if (rng.nextBoolean()) {
                    pairs.add(new SentencePair(doc.get(s), doc.get(s + 1), true));
                } else {
                    int other;
                    do {
                        other = rng.nextInt(documents.size());
                    } while (other == d);
                    List<String> od = documents.get(other);
                    pairs.add(new SentencePair(doc.get(s), od.get(rng.nextInt(od.size())), false));
                }
            }
        }
        rng.shuffle(pairs);
        return pairs;
    }
}
