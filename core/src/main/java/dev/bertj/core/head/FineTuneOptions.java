package dev.bertj.core.head;

import java.nio.file.Path;
import java.util.Map;

/**
 * Options shared by every head's fine-tuning (the {@code ./bert finetune} flags and the service's job JSON).
 * Defaults follow the BERT paper's fine-tuning recipe: AdamW, lr 2e-5..5e-5, 10% linear warm-up then linear decay,
 * weight decay 0.01, gradient clipping at 1.0.
 */
public record FineTuneOptions(
        String headId,
        Path train,
        Path eval,
        Path out,
        int epochs,
        long maxSteps,
        double learningRate,
        int batchSize,
        int accumulationSteps,
        int maxLength,
        boolean freezeEncoder,
        double warmupFraction,
        double weightDecay,
        long seed,
        long checkpointEvery,
        long evalEvery,
        int maxTrainExamples,
        int maxEvalExamples,
        Map<String, String> headOptions,
        boolean bucketByLength) {

    /** Options without length bucketing. */
    public FineTuneOptions(String headId, Path train, Path eval, Path out, int epochs, long maxSteps,
                           double learningRate, int batchSize, int accumulationSteps, int maxLength,
                           boolean freezeEncoder, double warmupFraction, double weightDecay, long seed,
                           long checkpointEvery, long evalEvery, int maxTrainExamples, int maxEvalExamples,
                           Map<String, String> headOptions) {
        this(headId, train, eval, out, epochs, maxSteps, learningRate, batchSize, accumulationSteps, maxLength,
                freezeEncoder, warmupFraction, weightDecay, seed, checkpointEvery, evalEvery, maxTrainExamples,
                maxEvalExamples, headOptions, false);
    }

    public FineTuneOptions {
        if (headId == null || headId.isBlank()) {
            throw new IllegalArgumentException("--head is required");
        }
        if (train == null) {
            throw new IllegalArgumentException("--train is required");
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required");
        }
        if (epochs < 1 && maxSteps < 1) {
            throw new IllegalArgumentException("give --epochs >= 1 or --max-steps >= 1");
        }
        if (!(learningRate > 0) || learningRate > 1) {
            throw new IllegalArgumentException("--lr must be in (0, 1], got " + learningRate);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("--batch must be in [1, 4096], got " + batchSize);
        }
        if (accumulationSteps < 1) {
            throw new IllegalArgumentException("--accumulation must be >= 1, got " + accumulationSteps);
        }
        if (maxLength < 8) {
            throw new IllegalArgumentException("--max-length must be >= 8, got " + maxLength);
        }
        if (warmupFraction < 0 || warmupFraction >= 1) {
            throw new IllegalArgumentException("--warmup must be in [0, 1), got " + warmupFraction);
        }
        if (weightDecay < 0) {
            throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        }
        headOptions = headOptions == null ? Map.of() : Map.copyOf(headOptions);
    }

    /** Defaults for everything but the head, data and output. */
    public static FineTuneOptions defaults(String headId, Path train, Path out) {
        return new FineTuneOptions(headId, train, null, out, 3, 0, 3e-5, 32, 1, 128, false, 0.1, 0.01, 42,
                500, 0, 0, 0, Map.of());
    }
}
