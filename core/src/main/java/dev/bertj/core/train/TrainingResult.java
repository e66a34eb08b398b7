package dev.bertj.core.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * How a run ended.
 *
 * @param lastCheckpoint the newest checkpoint written or resumed from, or null if none
 * @param failure        what went wrong when {@code status} is {@link Status#FAILED}, else null
 */
public record TrainingResult(Status status, long step, long totalSteps, double lastLoss, Map<String, Double> lastEvaluation,
                             Path lastCheckpoint, String failure) {

    public enum Status { COMPLETED, CANCELLED, FAILED }
}
