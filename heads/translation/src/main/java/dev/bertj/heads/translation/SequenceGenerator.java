package dev.bertj.heads.translation;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy and beam search over a {@link TransformerDecoder} with its {@link KeyValueCache}: every step feeds only
 * the newest token of each hypothesis. Decoding starts from the start token ({@code [CLS]}) and a hypothesis ends
 * when it produces the end token ({@code [SEP]}) or reaches the maximum length. Sentences that finish leave the
 * batch (their cache rows are dropped), so a long sentence does not make the short ones pay.
 *
 * <p>Beam search is Hugging Face's {@code BeamSearchScorer}: at each step the 2K best (beam, token) continuations
 * of a sentence are ranked by total log-probability; an end token among the first K closes a finished hypothesis
 * (scored {@code sum log p / length^length_penalty}), the first K others become the next beams; a sentence is done
 * by {@link GenerationOptions#earlyStopping} or when no running beam can beat its worst kept hypothesis. At beam
 * size 1 with early stopping (or length penalty 0) it returns exactly what greedy search returns.
 */
final class SequenceGenerator {

    /** A finished translation: target ids without start and end tokens, and its search score. */
    record Hypothesis(int[] tokens, double score) {
    }

    private final TransformerDecoder decoder;
    private final int startId;
    private final int endId;

    SequenceGenerator(TransformerDecoder decoder, int startId, int endId) {
        this.decoder = decoder;
        this.startId = startId;
        this.endId = endId;
    }

    /**
     * The best hypothesis per sentence.
     *
     * @param memory     projected encoder output {@code [batch * srcLen, hidden]}
     * @param memoryMask per sentence, 1 for real source tokens
     */
    List<Hypothesis> generate(INDArray memory, int[][] memoryMask, GenerationOptions options) {
        int maxPositions = decoder.config().maxPositions();
        if (options.maxLength() - 1 > maxPositions) {
            throw new IllegalArgumentException("max_length " + options.maxLength() + " needs " + (options.maxLength() - 1)
                    + " decoder positions; this decoder has " + maxPositions + " (max_length <= " + (maxPositions + 1) + ")");
        }
        return options.numBeams() == 1 ? greedy(memory, memoryMask, options.maxLength())
                : beam(memory, memoryMask, options);
    }

    // ---- greedy -----------------------------------------------------------------------------------------------

    List<Hypothesis> greedy(INDArray memory, int[][] memoryMask, int maxLength) {
        int batch = memoryMask.length;
        KeyValueCache cache = decoder.startDecoding(memory, memoryMask);
        int[][] tokens = new int[batch][maxLength];
        int[] lengths = new int[batch];
        double[] scores = new double[batch];
        int[] sentenceOfRow = range(batch);
        int[] last = new int[batch];
        Arrays.fill(last, startId);
        for (int cur = 1; cur < maxLength && sentenceOfRow.length > 0; cur++) {
            LogProbabilities lp = new LogProbabilities(decoder.step(cache, last));
            int[] keep = new int[sentenceOfRow.length];
            int kept = 0;
            for (int r = 0; r < sentenceOfRow.length; r++) {
                int s = sentenceOfRow[r];
                int best = lp.argmax(r);
                scores[s] += lp.get(r, best);
                if (best == endId) {
                    continue;
                }
                tokens[s][lengths[s]++] = best;
                keep[kept++] = r;
            }
            if (kept < sentenceOfRow.length && kept > 0 && cur + 1 < maxLength) {
                cache.select(Arrays.copyOf(keep, kept));
            }
            int[] next = new int[kept];
            int[] rows = new int[kept];
            for (int i = 0; i < kept; i++) {
                rows[i] = sentenceOfRow[keep[i]];
                next[i] = tokens[rows[i]][lengths[rows[i]] - 1];
            }
            sentenceOfRow = rows;
            last = next;
        }
        List<Hypothesis> out = new ArrayList<>(batch);
        for (int s = 0; s < batch; s++) {
            out.add(new Hypothesis(Arrays.copyOf(tokens[s], lengths[s]), scores[s]));
        }
        return out;
    }

    // ---- beam search ------------------------------------------------------------------------------------------

    List<Hypothesis> beam(INDArray memory, int[][] memoryMask, GenerationOptions options) {
        int batch = memoryMask.length;
        int k = options.numBeams();
        KeyValueCache cache = decoder.startDecoding(memory, memoryMask);
        int[] expand = new int[batch * k];
        for (int i = 0; i < expand.length; i++) {
            expand[i] = i / k;
        }
        cache.select(expand);
        FinishedHypotheses[] finished = new FinishedHypotheses[batch];
        for (int s = 0; s < batch; s++) {
            finished[s] = new FinishedHypotheses(k, options.lengthPenalty(), options.earlyStopping());
        }
        // Running beams, K rows per active sentence. Only beam 0 is live at first, so the first step's K beams
        // are K different tokens rather than K copies of the best one.
        int[] active = range(batch);
        int[][] beamTokens = new int[batch * k][0];
        double[] beamScores = new double[batch * k];
        for (int r = 0; r < beamScores.length; r++) {
            beamScores[r] = r % k == 0 ? 0 : -1e9;
        }
        int[] last = new int[batch * k];
        Arrays.fill(last, startId);
        int maxLength = options.maxLength();
        for (int cur = 1; cur < maxLength && active.length > 0; cur++) {
            LogProbabilities lp = new LogProbabilities(decoder.step(cache, last));
            List<Integer> stillActive = new ArrayList<>();
            List<int[]> nextTokens = new ArrayList<>();
            List<Double> nextScores = new ArrayList<>();
            List<Integer> nextOrigins = new ArrayList<>();
            for (int a = 0; a < active.length; a++) {
                int s = active[a];
                Candidate[] top = lp.topCandidates(a * k, k, beamScores, 2 * k);
                int chosen = 0;
                int firstNext = nextTokens.size();
                for (int rank = 0; rank < top.length && chosen < k; rank++) {
                    Candidate c = top[rank];
                    int row = a * k + c.beam();
                    if (c.token() == endId) {
                        // An end token below the first K would displace a better running beam: HF skips it.
                        if (rank < k) {
                            finished[s].add(beamTokens[row], c.score(), cur);
                        }
                        continue;
                    }
                    int[] seq = Arrays.copyOf(beamTokens[row], beamTokens[row].length + 1);
                    seq[seq.length - 1] = c.token();
                    nextTokens.add(seq);
                    nextScores.add(c.score());
                    nextOrigins.add(row);
                    chosen++;
                }
                boolean done = finished[s].isDone(top[0].score(), cur);
                if (!done && cur + 1 == maxLength) {
                    // Out of length: the running beams compete as they are (HF's finalize).
                    for (int i = firstNext; i < nextTokens.size(); i++) {
                        finished[s].add(nextTokens.get(i), nextScores.get(i), cur + 1);
                    }
                    done = true;
                }
                if (done) {
                    while (nextTokens.size() > firstNext) {
                        int lastIndex = nextTokens.size() - 1;
                        nextTokens.remove(lastIndex);
                        nextScores.remove(lastIndex);
                        nextOrigins.remove(lastIndex);
                    }
                } else {
                    stillActive.add(s);
                }
            }
            active = stillActive.stream().mapToInt(Integer::intValue).toArray();
            if (active.length == 0) {
                break;
            }
            int rows = nextTokens.size();
            int[] origins = new int[rows];
            beamTokens = new int[rows][];
            beamScores = new double[rows];
            last = new int[rows];
            for (int i = 0; i < rows; i++) {
                origins[i] = nextOrigins.get(i);
                beamTokens[i] = nextTokens.get(i);
                beamScores[i] = nextScores.get(i);
                last[i] = beamTokens[i][beamTokens[i].length - 1];
            }
            cache.select(origins);
        }
        List<Hypothesis> out = new ArrayList<>(batch);
        for (int s = 0; s < batch; s++) {
            out.add(finished[s].best());
        }
        return out;
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** A (beam, token) continuation and its total log-probability. */
    record Candidate(int beam, int token, double score) {
    }

    /** Row-wise log-softmax of a step's logits, in double precision, read as plain arrays. */
    static final class LogProbabilities {
        private final double[] values;
        private final int vocab;

        LogProbabilities(INDArray logits) {
            this.vocab = (int) logits.columns();
            float[] z = logits.castTo(DataType.FLOAT).dup('c').data().asFloat();
            this.values = new double[z.length];
            for (int r = 0; r < z.length / vocab; r++) {
                int off = r * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, z[off + v]);
                }
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(z[off + v] - max);
                }
                double logSum = max + Math.log(sum);
                for (int v = 0; v < vocab; v++) {
                    values[off + v] = z[off + v] - logSum;
                }
            }
        }

        double get(int row, int token) {
            return values[row * vocab + token];
        }

        /** The most probable token of a row; the lowest id on ties. */
        int argmax(int row) {
            int off = row * vocab;
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (values[off + v] > values[off + best]) {
                    best = v;
                }
            }
            return best;
        }

        /**
         * The {@code count} best continuations over rows {@code firstRow .. firstRow + beams - 1}, scored
         * {@code beamScores[row] + log p(token)}, best first; ties go to the lower (beam, token) index, as
         * {@code torch.topk} over the flattened scores does in practice.
         */
        Candidate[] topCandidates(int firstRow, int beams, double[] beamScores, int count) {
            count = Math.min(count, beams * vocab);
            double[] bestScore = new double[count];
            int[] bestIndex = new int[count];
            int filled = 0;
            for (int b = 0; b < beams; b++) {
                int off = (firstRow + b) * vocab;
                double base = beamScores[firstRow + b];
                for (int v = 0; v < vocab; v++) {
                    double s = base + values[off + v];
                    if (filled == count && !(s > bestScore[count - 1])) {
                        continue;
                    }
                    int j = filled < count ? filled++ : count - 1;
                    while (j > 0 && bestScore[j - 1] < s) {
                        bestScore[j] = bestScore[j - 1];
                        bestIndex[j] = bestIndex[j - 1];
                        j--;
                    }
                    bestScore[j] = s;
                    bestIndex[j] = b * vocab + v;
                }
            }
            Candidate[] out = new Candidate[filled];
            for (int i = 0; i < filled; i++) {
                out[i] = new Candidate(bestIndex[i] / vocab, bestIndex[i] % vocab, bestScore[i]);
            }
            return out;
        }
    }

    /** The n best finished hypotheses of one sentence (HF's {@code BeamHypotheses}). */
    static final class FinishedHypotheses {
        private final int capacity;
        private final double lengthPenalty;
        private final boolean earlyStopping;
        private final List<Hypothesis> kept = new ArrayList<>();
        private double worstScore = 1e9;

        FinishedHypotheses(int capacity, double lengthPenalty, boolean earlyStopping) {
            this.capacity = capacity;
            this.lengthPenalty = lengthPenalty;
            this.earlyStopping = earlyStopping;
        }

        /**
         * Offers a hypothesis of total log-probability {@code sumLogProbs} and {@code length} tokens counting the
         * start token (HF's hypothesis length).
         */
        void add(int[] tokens, double sumLogProbs, int length) {
            double score = sumLogProbs / Math.pow(length, lengthPenalty);
            if (kept.size() < capacity || score > worstScore) {
                kept.add(new Hypothesis(tokens.clone(), score));
                if (kept.size() > capacity) {
                    int worst = 0;
                    for (int i = 1; i < kept.size(); i++) {
                        if (kept.get(i).score() < kept.get(worst).score()) {
                            worst = i;
                        }
                    }
                    kept.remove(worst);
                    worstScore = kept.stream().mapToDouble(Hypothesis::score).min().orElse(1e9);
                } else {
                    worstScore = Math.min(score, worstScore);
                }
            }
        }

        /** Whether no running beam (best total log-probability {@code bestSumLogProbs} at {@code length}) can still get in. */
        boolean isDone(double bestSumLogProbs, int length) {
            if (kept.size() < capacity) {
                return false;
            }
            if (earlyStopping) {
                return true;
            }
            return worstScore >= bestSumLogProbs / Math.pow(length, lengthPenalty);
        }

        Hypothesis best() {
            Hypothesis best = null;
            for (Hypothesis h : kept) {
                if (best == null || h.score() > best.score()) {
                    best = h;
                }
            }
            return best != null ? best : new Hypothesis(new int[0], Double.NEGATIVE_INFINITY);
        }
    }
}
