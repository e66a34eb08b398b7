package dev.bertj.core.train;

import java.util.Map;

/**
 * One optimizer step as listeners see it.
 *
 * @param step            optimizer steps completed, this one included
 * @param learningRate    the rate this step used
 * @param loss            mean loss over the step's micro-batches
 * @param metrics         the task's metrics, averaged over the micro-batches
 * @param gradNorm        global gradient norm before clipping
 * @param tokens          tokens in this step's batches
 * @param tokensPerSecond throughput of this step
 * @param elapsedSeconds  training time so far, across resumes
 * @param etaSeconds      estimated time to {@code totalSteps} at the recent pace
 */
public record StepReport(long step, long totalSteps, double learningRate, double loss, Map<String, Double> metrics,
                         double gradNorm, long tokens, double tokensPerSecond, double elapsedSeconds, double etaSeconds) {
}
