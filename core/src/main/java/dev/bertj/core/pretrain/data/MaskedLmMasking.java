package dev.bertj.core.pretrain.data;

import dev.bertj.core.nn.Rng;

/**
 * Masked-LM masking with the semantics of {@code create_masked_lm_predictions} in google-research/bert's
 * {@code create_pretraining_data.py}:
 * <ul>
 *   <li>every position except {@code [CLS]} and {@code [SEP]} is a candidate; with whole-word masking a
 *       continuation piece ({@code ##...}) joins the candidate group before it, otherwise each position is its own
 *       group;</li>
 *   <li>the groups are shuffled; {@code num_to_predict = min(max_predictions_per_seq, max(1, round(n * p)))} where n
 *       counts every token of the instance, specials included, and round is Python 3's round-half-to-even;</li>
 *   <li>groups are taken in shuffled order, skipping a group that would overshoot {@code num_to_predict}, until
 *       that many positions are chosen;</li>
 *   <li>each chosen position becomes {@code [MASK]} with probability 0.8, else keeps its token with probability
 *       0.5, else becomes a token drawn uniformly from the whole vocabulary (special entries included, as the
 *       reference draws from {@code tokenizer.vocab.keys()}).</li>
 * </ul>
 * One instance per generator thread: it reuses scratch arrays between calls.
 */
final class MaskedLmMasking {

    private final WordPieceIds vocab;
    private final double maskedLmProb;
    private final int maxPredictionsPerSeq;
    private final boolean wholeWordMask;

    // Candidate groups: group g holds members[groupStart[g] .. groupStart[g + 1]).
    private int[] members = new int[0];
    private int[] groupStart = new int[1];
    private int[] groupOrder = new int[0];

    MaskedLmMasking(WordPieceIds vocab, PretrainingOptions options) {
        this.vocab = vocab;
        this.maskedLmProb = options.maskedLmProb();
        this.maxPredictionsPerSeq = options.maxPredictionsPerSeq();
        this.wholeWordMask = options.wholeWordMask();
    }

    /** The result of masking: positions ascending, and the original ids there. */
    record Masked(int[] positions, int[] labelIds) {
    }

    /** The number of positions the reference masks in a sequence of {@code length} tokens. */
    static int numToPredict(int length, double maskedLmProb, int maxPredictionsPerSeq) {
        // Math.rint rounds half to even, as Python 3's round() does.
        return Math.min(maxPredictionsPerSeq, Math.max(1, (int) Math.rint(length * maskedLmProb)));
    }

    /** Masks {@code tokens} in place and returns what was masked. */
    Masked mask(int[] tokens, Rng rng) {
        int groups = collectCandidates(tokens);
        if (groupOrder.length < groups) {
            groupOrder = new int[Math.max(groups, 2 * groupOrder.length)];
        }
        for (int g = 0; g < groups; g++) {
            groupOrder[g] = g;
        }
        shufflePrefix(groupOrder, groups, rng);

        int numToPredict = numToPredict(tokens.length, maskedLmProb, maxPredictionsPerSeq);
        int[] positions = new int[numToPredict];
        int[] labels = new int[numToPredict];
        int count = 0;
        for (int k = 0; k < groups; k++) {
            if (count >= numToPredict) {
                break;
            }
            int g = groupOrder[k];
            int from = groupStart[g];
            int to = groupStart[g + 1];
            if (count + (to - from) > numToPredict) {
                continue;
            }
            // Groups are disjoint, so the reference's "already covered" check can never fire here.
            for (int m = from; m < to; m++) {
                int index = members[m];
                int original = tokens[index];
                tokens[index] = replacement(original, rng);
                positions[count] = index;
                labels[count] = original;
                count++;
            }
        }
        return sortByPosition(positions, labels, count);
    }

    private int replacement(int original, Rng rng) {
        if (rng.nextDouble() < 0.8) {
            return vocab.maskId();
        }
        if (rng.nextDouble() < 0.5) {
            return original;
        }
        return rng.nextInt(vocab.vocabSize());
    }

    /** Fills {@link #members} and {@link #groupStart}; returns the number of groups. */
    private int collectCandidates(int[] tokens) {
        if (members.length < tokens.length) {
            members = new int[tokens.length];
            groupStart = new int[tokens.length + 1];
        }
        int cls = vocab.clsId();
        int sep = vocab.sepId();
        int memberCount = 0;
        int groups = 0;
        for (int i = 0; i < tokens.length; i++) {
            int t = tokens[i];
            if (t == cls || t == sep) {
                continue;
            }
            if (!(wholeWordMask && groups > 0 && vocab.isContinuation(t))) {
                groupStart[groups++] = memberCount;
            }
            members[memberCount++] = i;
        }
        groupStart[groups] = memberCount;
        return groups;
    }

    /** Python's shuffle (Fisher-Yates from the end) on the first {@code n} entries. */
    private static void shufflePrefix(int[] values, int n, Rng rng) {
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }

    private static Masked sortByPosition(int[] positions, int[] labels, int count) {
        // Insertion sort of (position, label) pairs: at most max_predictions_per_seq entries.
        for (int i = 1; i < count; i++) {
            int p = positions[i];
            int l = labels[i];
            int j = i - 1;
            while (j >= 0 && positions[j] > p) {
                positions[j + 1] = positions[j];
                labels[j + 1] = labels[j];
                j--;
            }
            positions[j + 1] = p;
            labels[j + 1] = l;
        }
        if (count == positions.length) {
            return new Masked(positions, labels);
        }
        return new Masked(java.util.Arrays.copyOf(positions, count), java.util.Arrays.copyOf(labels, count));
    }
}
