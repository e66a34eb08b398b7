package dev.bertj.heads.translation;

import dev.bertj.core.nn.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * A toy translation task: English number words to German ones in reverse order, with a final period
 * ("one three two" -> "zwei drei eins."). Solving it needs word-for-word translation through cross-attention,
 * attention by source position (reordering), a cased target vocabulary with accents kept ("fünf"), and
 * detokenisation that glues the period.
 */
final class ReversalTask {

    static final List<String> SOURCE = List.of("one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "ten");
    static final List<String> TARGET = List.of("eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht",
            "neun", "zehn");

    private ReversalTask() {
    }

    static List<ParallelExample> examples(int count, int minWords, int maxWords, long seed) {
        return examples(count, minWords, maxWords, seed, true);
    }

    /** With {@code reverse} false the task is word-for-word translation in the source order. */
    static List<ParallelExample> examples(int count, int minWords, int maxWords, long seed, boolean reverse) {
        Rng rng = new Rng(seed);
        List<ParallelExample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = minWords + rng.nextInt(maxWords - minWords + 1);
            List<String> src = new ArrayList<>();
            List<String> tgt = new ArrayList<>();
            for (int w = 0; w < n; w++) {
                int k = rng.nextInt(SOURCE.size());
                src.add(SOURCE.get(k));
                tgt.add(reverse ? 0 : tgt.size(), TARGET.get(k));
            }
            out.add(new ParallelExample(String.join(" ", src), String.join(" ", tgt) + "."));
        }
        return out;
    }
}
