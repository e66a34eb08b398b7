package dev.bertj.core.pretrain.data;

/**
 * The settings of pre-training data generation. The first seven are the flags of google-research/bert's
 * {@code create_pretraining_data.py}, with its defaults; the last two make the generator streamable.
 *
 * @param maxSeqLength         tokens per instance including [CLS] and the two [SEP]s (reference: 128)
 * @param maxPredictionsPerSeq most masked positions per instance (reference: 20)
 * @param maskedLmProb         share of an instance's tokens that are masked (reference: 0.15)
 * @param shortSeqProb         probability that an instance aims at a random shorter length (reference: 0.1)
 * @param dupeFactor           how many times each shard's documents are turned into instances, each time with
 *                             fresh segment choices and masks (reference: 10)
 * @param wholeWordMask        mask every WordPiece of a word together ({@code ##} pieces join the piece before them)
 * @param seed                 seed of the generator's {@link dev.bertj.core.nn.Rng} (reference: 12345)
 * @param shardTokens          the streaming bound: a shard is the next run of whole documents, closed at the first
 *                             document boundary where it holds at least this many WordPiece tokens (and at least two
 *                             documents), or at the end of the input. Each shard is generated exactly as the
 *                             reference generates a whole corpus, so random next segments come from the same shard.
 *                             Memory is roughly {@code shardTokens * (1 + 1.5 * dupeFactor)} ints (the shard's
 *                             tokens plus its instances; random next segments reuse the segments they displace).
 * @param epochs               passes over the input; 0 means endless (each pass draws new segments and masks)
 */
public record PretrainingOptions(
        int maxSeqLength,
        int maxPredictionsPerSeq,
        double maskedLmProb,
        double shortSeqProb,
        int dupeFactor,
        boolean wholeWordMask,
        long seed,
        int shardTokens,
        int epochs) {

    /**
     * 4M tokens (~260 MB of ints at dupe factor 10): a corpus of up to ~3M words is one shard, generated and shuffled
     * as a whole exactly as the reference does. A corpus split into shards trains on each shard's dupe_factor copies
     * before it sees the next shard, so a corpus ordered by source (one book after another) would be learned one
     * source at a time.
     */
    public static final int DEFAULT_SHARD_TOKENS = 4_000_000;

    public PretrainingOptions {
        if (maxSeqLength < 5) {
            // [CLS] a [SEP] b [SEP] plus randint(2, max_seq_length - 3) needs at least five positions.
            throw new IllegalArgumentException("maxSeqLength must be at least 5, got " + maxSeqLength);
        }
        if (maxPredictionsPerSeq < 1 || maxPredictionsPerSeq > maxSeqLength) {
            throw new IllegalArgumentException("maxPredictionsPerSeq must be in [1, maxSeqLength], got "
                    + maxPredictionsPerSeq);
        }
        if (!(maskedLmProb > 0 && maskedLmProb < 1)) {
            throw new IllegalArgumentException("maskedLmProb must be in (0, 1), got " + maskedLmProb);
        }
        if (!(shortSeqProb >= 0 && shortSeqProb <= 1)) {
            throw new IllegalArgumentException("shortSeqProb must be in [0, 1], got " + shortSeqProb);
        }
        if (dupeFactor < 1) {
            throw new IllegalArgumentException("dupeFactor must be at least 1, got " + dupeFactor);
        }
        if (shardTokens < 1) {
            throw new IllegalArgumentException("shardTokens must be positive, got " + shardTokens);
        }
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be 0 (endless) or positive, got " + epochs);
        }
    }

    /** The reference's defaults: 128 tokens, 20 predictions, 0.15, 0.1, dupe factor 10, seed 12345; one pass. */
    public static PretrainingOptions defaults() {
        return new PretrainingOptions(128, 20, 0.15, 0.1, 10, false, 12345, DEFAULT_SHARD_TOKENS, 1);
    }

    public PretrainingOptions withMaxSeqLength(int v) {
        return new PretrainingOptions(v, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor,
                wholeWordMask, seed, shardTokens, epochs);
    }

    public PretrainingOptions withMaxPredictionsPerSeq(int v) {
        return new PretrainingOptions(maxSeqLength, v, maskedLmProb, shortSeqProb, dupeFactor, wholeWordMask,
                seed, shardTokens, epochs);
    }

    public PretrainingOptions withMaskedLmProb(double v) {
        return new PretrainingOptions(maxSeqLength, maxPredictionsPerSeq, v, shortSeqProb, dupeFactor,
                wholeWordMask, seed, shardTokens, epochs);
    }

    public PretrainingOptions withShortSeqProb(double v) {
        return new PretrainingOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, v, dupeFactor,
                wholeWordMask, seed, shardTokens, epochs);
    }

    public PretrainingOptions withDupeFactor(int v) {
        return new PretrainingOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, v,
                wholeWordMask, seed, shardTokens, epochs);
    }

    public PretrainingOptions withWholeWordMask(boolean v) {
        return new PretrainingOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor,
                v, seed, shardTokens, epochs);
    }

    public PretrainingOptions withSeed(long v) {
        return new PretrainingOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor,
                wholeWordMask, v, shardTokens, epochs);
    }

    public PretrainingOptions withShardTokens(int v) {
        return new PretrainingOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor,
                wholeWordMask, seed, v, epochs);
    }

    public PretrainingOptions withEpochs(int v) {
        return new PretrainingOptions(maxSeqLength, maxPredictionsPerSeq, maskedLmProb, shortSeqProb, dupeFactor,
                wholeWordMask, seed, shardTokens, v);
    }
}
