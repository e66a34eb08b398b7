package dev.bertj.heads.translation;

import dev.bertj.core.nn.Tape;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Search on untrained decoders: the cached greedy search against an uncached reference that reruns the whole
 * prefix each step, beam search at beam 1 against greedy, and large-beam search against exhaustive enumeration.
 */
class SequenceGeneratorTest {

    private static final int START = 0;
    private static final int END = 1;

    /** Greedy decoding the slow way: the full forward pass over the whole prefix at every step, no cache. */
    private static List<int[]> uncachedGreedy(TransformerDecoder decoder, INDArray memory, int[][] mask, int maxLength) {
        List<int[]> out = new ArrayList<>();
        int srcLen = mask[0].length;
        for (int b = 0; b < mask.length; b++) {
            INDArray mem = memory.get(org.nd4j.linalg.indexing.NDArrayIndex.interval((long) b * srcLen, (long) (b + 1) * srcLen),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
            List<Integer> seq = new ArrayList<>(List.of(START));
            List<Integer> generated = new ArrayList<>();
            for (int cur = 1; cur < maxLength; cur++) {
                int[][] ids = {seq.stream().mapToInt(Integer::intValue).toArray()};
                Tape tape = Tape.inference();
                INDArray logits = decoder.logits(tape, tape.constant(mem), new int[][] {mask[b]}, ids, null).value();
                int next = new SequenceGenerator.LogProbabilities(logits.getRow(logits.rows() - 1, true)).argmax(0);
                if (next == END) {
                    break;
                }
                generated.add(next);
                seq.add(next);
            }
            out.add(generated.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    @Test
    void cachedGreedyEqualsUncachedGreedy() {
        for (long seed = 1; seed <= 4; seed++) {
            TransformerDecoder decoder = RandomDecoders.decoder(9, 12, seed);
            int batch = 4;
            INDArray memory = RandomDecoders.memory(decoder, batch, 6, seed + 100);
            int[][] mask = RandomDecoders.mask(batch, 6);
            List<int[]> expected = uncachedGreedy(decoder, memory, mask, 10);
            List<SequenceGenerator.Hypothesis> got = new SequenceGenerator(decoder, START, END).greedy(memory, mask, 10);
            for (int b = 0; b < batch; b++) {
                assertThat(got.get(b).tokens()).as("seed %d sentence %d", seed, b).containsExactly(expected.get(b));
            }
        }
    }

    @Test
    void greedyStopsAtTheEndTokenOrTheMaximumLength() {
        TransformerDecoder decoder = RandomDecoders.decoder(9, 12, 7);
        INDArray memory = RandomDecoders.memory(decoder, 6, 4, 8);
        int[][] mask = RandomDecoders.mask(6, 4);
        for (SequenceGenerator.Hypothesis h : new SequenceGenerator(decoder, START, END).greedy(memory, mask, 5)) {
            assertThat(h.tokens().length).isLessThanOrEqualTo(4);
            assertThat(h.tokens()).doesNotContain(END);
        }
    }

    @Test
    void beamSearchWithOneBeamIsGreedySearch() {
        for (long seed = 1; seed <= 4; seed++) {
            TransformerDecoder decoder = RandomDecoders.decoder(9, 12, seed);
            int batch = 5;
            INDArray memory = RandomDecoders.memory(decoder, batch, 6, seed + 200);
            int[][] mask = RandomDecoders.mask(batch, 6);
            SequenceGenerator generator = new SequenceGenerator(decoder, START, END);
            List<SequenceGenerator.Hypothesis> greedy = generator.greedy(memory, mask, 11);
            // With early stopping, or with length penalty 0, a single beam has nothing to wait for.
            for (GenerationOptions options : List.of(new GenerationOptions(1, 11, 1.0, true),
                    new GenerationOptions(1, 11, 0.0, false))) {
                List<SequenceGenerator.Hypothesis> beam = generator.beam(memory, mask, options);
                for (int b = 0; b < batch; b++) {
                    assertThat(beam.get(b).tokens()).as("seed %d sentence %d %s", seed, b, options)
                            .containsExactly(greedy.get(b).tokens());
                }
            }
        }
    }

    @Test
    void aBeamAsWideAsTheSearchSpaceFindsTheBestHypothesis() {
        // Vocabulary 6 (start 0, end 1), max_length 4: at most 3 generated tokens, 5 non-end tokens each, so 125
        // beams hold every prefix and beam search must return the exhaustive optimum of sum(log p) / length.
        int vocab = 6;
        int maxLength = 4;
        TransformerDecoder decoder = RandomDecoders.decoder(vocab, 8, 21);
        INDArray memory = RandomDecoders.memory(decoder, 1, 3, 22);
        int[][] mask = {{1, 1, 1}};
        double lengthPenalty = 1.0;
        List<SequenceGenerator.Hypothesis> got = new SequenceGenerator(decoder, START, END)
                .beam(memory, mask, new GenerationOptions(125, maxLength, lengthPenalty, false));

        int[] bestTokens = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        List<int[]> prefixes = new ArrayList<>(List.of(new int[0]));
        for (int generated = 0; generated < maxLength - 1; generated++) {
            List<int[]> longer = new ArrayList<>();
            for (int[] prefix : prefixes) {
                double[] lp = nextLogProbs(decoder, memory, mask, prefix);
                double prefixScore = logProb(decoder, memory, mask, prefix);
                // Ending here: length counts the start token plus the tokens, i.e. the tokens plus the end token.
                double endScore = (prefixScore + lp[END]) / Math.pow(prefix.length + 1, lengthPenalty);
                if (endScore > bestScore) {
                    bestScore = endScore;
                    bestTokens = prefix;
                }
                for (int v = 0; v < vocab; v++) {
                    if (v != END) {
                        int[] next = Arrays.copyOf(prefix, prefix.length + 1);
                        next[prefix.length] = v;
                        longer.add(next);
                    }
                }
            }
            prefixes = longer;
        }
        for (int[] full : prefixes) {
            // Cut off by max_length: scored with the start token and all tokens.
            double score = logProb(decoder, memory, mask, full) / Math.pow(full.length + 1, lengthPenalty);
            if (score > bestScore) {
                bestScore = score;
                bestTokens = full;
            }
        }
        assertThat(got.get(0).tokens()).containsExactly(bestTokens);
        assertThat(got.get(0).score()).isCloseTo(bestScore, within(1e-4));
    }

    private static double[] nextLogProbs(TransformerDecoder decoder, INDArray memory, int[][] mask, int[] prefix) {
        int[][] ids = new int[1][prefix.length + 1];
        ids[0][0] = START;
        System.arraycopy(prefix, 0, ids[0], 1, prefix.length);
        Tape tape = Tape.inference();
        INDArray logits = decoder.logits(tape, tape.constant(memory), mask, ids, null).value();
        SequenceGenerator.LogProbabilities lp = new SequenceGenerator.LogProbabilities(logits.getRow(prefix.length, true));
        double[] out = new double[(int) logits.columns()];
        for (int v = 0; v < out.length; v++) {
            out[v] = lp.get(0, v);
        }
        return out;
    }

    private static double logProb(TransformerDecoder decoder, INDArray memory, int[][] mask, int[] tokens) {
        double sum = 0;
        for (int i = 0; i < tokens.length; i++) {
            sum += nextLogProbs(decoder, memory, mask, Arrays.copyOf(tokens, i))[tokens[i]];
        }
        return sum;
    }
}
