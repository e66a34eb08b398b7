package dev.bertj.heads.translation;

/**
 * How to search for a translation, with Hugging Face's {@code generate} meanings.
 *
 * @param numBeams      1: greedy search; more: beam search with that many beams
 * @param maxLength     the longest decoder sequence counting its start token (HF's {@code max_length}), so at
 *                      most {@code maxLength - 1} generated tokens, the end token included
 * @param lengthPenalty beam search ranks a finished hypothesis by {@code sum(log p) / length^lengthPenalty}, length
 *                      counting the start token (HF's {@code length_penalty}; > 0 favours longer outputs, 0 ranks by
 *                      total log-probability)
 * @param earlyStopping beam search stops a sentence as soon as it has {@code numBeams} finished hypotheses (HF's
 *                      {@code early_stopping=True}); otherwise (HF's default) when no running beam can still beat
 *                      the worst finished one under the length penalty
 */
public record GenerationOptions(int numBeams, int maxLength, double lengthPenalty, boolean earlyStopping) {

    public GenerationOptions {
        if (numBeams < 1) {
            throw new IllegalArgumentException("num_beams must be >= 1, got " + numBeams);
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("max_length must be >= 2 (the start token and one more), got " + maxLength);
        }
        if (!Double.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("length_penalty must be finite, got " + lengthPenalty);
        }
    }

    public static GenerationOptions greedy(int maxLength) {
        return new GenerationOptions(1, maxLength, 1.0, false);
    }

    public GenerationOptions withNumBeams(int value) {
        return new GenerationOptions(value, maxLength, lengthPenalty, earlyStopping);
    }

    public GenerationOptions withMaxLength(int value) {
        return new GenerationOptions(numBeams, value, lengthPenalty, earlyStopping);
    }
}
