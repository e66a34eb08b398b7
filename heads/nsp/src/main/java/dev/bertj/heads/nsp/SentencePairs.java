package dev.bertj.heads.nsp;

import dev.bertj.core.nn.Rng;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

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
        List<List<String>> documents = documents(file);
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

    /**
     * Balanced segment pairs as BERT's pre-training data makes them ({@code create_instances_from_document}): a
     * document's sentences are gathered into chunks of about {@code maxTokens - 3} WordPiece tokens (shorter with
     * probability {@code shortSeqProb}); a chunk is split at a random sentence boundary into segment A and the rest;
     * with probability 1/2 segment B is that rest (IsNext), otherwise a run of sentences from a random place in a
     * different document (NotNext), and the unused sentences of the chunk are put back. Documents are visited in
     * a seeded random order, so a capped number of pairs still spans the whole corpus.
     */
    static List<SentencePair> segmentsFromCorpus(Path file, WordPieceTokenizer tokenizer, int maxTokens,
                                                 double shortSeqProb, long seed, int maxPairs) throws IOException {
        if (maxTokens < 8) {
            throw new IllegalArgumentException("max_length " + maxTokens + " is too short for segment pairs (>= 8)");
        }
        List<List<String>> documents = documents(file);
        List<int[]> lengths = new ArrayList<>();
        for (List<String> doc : documents) {
            int[] l = new int[doc.size()];
            for (int i = 0; i < l.length; i++) {
                l[i] = tokenizer.tokenize(doc.get(i)).size();
            }
            lengths.add(l);
        }
        Rng rng = new Rng(seed);
        List<Integer> order = new ArrayList<>();
        for (int d = 0; d < documents.size(); d++) {
            order.add(d);
        }
        rng.shuffle(order);
        int budget = maxTokens - 3; // [CLS] A [SEP] B [SEP]
        List<SentencePair> pairs = new ArrayList<>();
        // Round-robin over the shuffled documents, one pair per document per round, so that a cap on the number of
        // pairs takes them from everywhere rather than from the first documents.
        int[] cursor = new int[documents.size()];
        boolean progress = true;
        while (pairs.size() < maxPairs && progress) {
            progress = false;
            for (int d : order) {
                if (pairs.size() >= maxPairs) {
                    break;
                }
                List<String> doc = documents.get(d);
                int[] len = lengths.get(d);
                int start = cursor[d];
                if (start >= doc.size() - 1) {
                    continue;
                }
                int target = rng.nextDouble() < shortSeqProb ? 2 + rng.nextInt(budget - 1) : budget;
                int end = start;
                int total = 0;
                while (end < doc.size() && (total < target || end - start < 2)) {
                    total += len[end++];
                }
                int aEnd = start + 1 + (end - start >= 3 ? rng.nextInt(end - start - 1) : 0);
                String a = String.join(" ", doc.subList(start, aEnd));
                boolean isNext = rng.nextBoolean();
                String b;
                if (isNext) {
                    b = String.join(" ", doc.subList(aEnd, end));
                    cursor[d] = end;
                } else {
                    int other;
                    do {
                        other = rng.nextInt(documents.size());
                    } while (other == d);
                    List<String> od = documents.get(other);
                    int[] ol = lengths.get(other);
                    int from = rng.nextInt(od.size());
                    int to = from;
                    int bTokens = 0;
                    int aTokens = 0;
                    for (int i = start; i < aEnd; i++) {
                        aTokens += len[i];
                    }
                    while (to < od.size() && (to == from || bTokens < target - aTokens)) {
                        bTokens += ol[to++];
                    }
                    b = String.join(" ", od.subList(from, to));
                    cursor[d] = aEnd; // the unused rest of the chunk starts the next pair of this document
                }
                pairs.add(new SentencePair(a, b, isNext));
                progress = true;
            }
        }
        rng.shuffle(pairs);
        return pairs;
    }

    private static List<List<String>> documents(Path file) throws IOException {
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
        return documents;
    }
}
