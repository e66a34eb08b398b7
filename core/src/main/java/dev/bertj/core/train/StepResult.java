package dev.bertj.core.train;

import java.util.Map;

/**
 * What one (micro-)batch gave: its unscaled mean loss, named task metrics (accuracies and the like, averaged over
 * micro-batches and log intervals by the trainer) and how many tokens it held (for tokens/s).
 */
public record StepResult(double loss, Map<String, Double> metrics, long tokens) {

    public StepResult {
        metrics = Map.copyOf(metrics);
        if (tokens < 0) {
            throw new IllegalArgumentException("token count must be >= 0, got " + tokens);
        }
    }

    public static StepResult of(double loss, long tokens) {
        return new StepResult(loss, Map.of(), tokens);
    }
}
