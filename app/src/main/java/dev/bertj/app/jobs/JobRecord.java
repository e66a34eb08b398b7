package dev.bertj.app.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * A job as it is stored in {@code <jobs>/<id>/job.json} and returned by {@code GET /v1/jobs/{id}}: what was asked,
 * where it is, its progress and latest metrics, and why it failed if it did.
 *
 * @param resumedFromStep the checkpoint step the latest run of the job started from (after a restart)
 * @param restarts        how many times a service restart interrupted it and it was resumed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(String id, String type, JobState state, JobRequest request, String out,
                        String created, String started, String finished,
                        long step, @JsonProperty("total_steps") long totalSteps, Double progress, Double loss,
                        @JsonProperty("tokens_per_second") Double tokensPerSecond,
                        @JsonProperty("eta_seconds") Double etaSeconds,
                        Map<String, Double> metrics, Map<String, Double> evaluation,
                        @JsonProperty("last_checkpoint_step") Long lastCheckpointStep,
                        @JsonProperty("resumed_from_step") Long resumedFromStep,
                        int restarts, String reason) {

    JobRecord with(JobState newState, String newReason) {
        return new JobRecord(id, type, newState, request, out, created, started, finished, step, totalSteps, progress,
                loss, tokensPerSecond, etaSeconds, metrics, evaluation, lastCheckpointStep, resumedFromStep, restarts, newReason);
    }

    JobRecord started(String when) {
        return new JobRecord(id, type, JobState.RUNNING, request, out, created, when, null, step, totalSteps, progress,
                loss, tokensPerSecond, etaSeconds, metrics, evaluation, lastCheckpointStep, resumedFromStep, restarts, null);
    }

    JobRecord finished(JobState newState, String when, String newReason) {
        return new JobRecord(id, type, newState, request, out, created, started, when, step, totalSteps, progress,
                loss, tokensPerSecond, etaSeconds, metrics, evaluation, lastCheckpointStep, resumedFromStep, restarts, newReason);
    }

    JobRecord progressed(long newStep, long total, double newLoss, Map<String, Double> newMetrics, double tps,
                         double eta) {
        return new JobRecord(id, type, state, request, out, created, started, finished, newStep, total,
                total > 0 ? Math.min(1.0, (double) newStep / total) : null, newLoss, tps, eta,
                newMetrics == null ? null : Map.copyOf(newMetrics), evaluation, lastCheckpointStep, resumedFromStep, restarts, reason);
    }

    JobRecord evaluated(Map<String, Double> results) {
        return new JobRecord(id, type, state, request, out, created, started, finished, step, totalSteps, progress,
                loss, tokensPerSecond, etaSeconds, metrics, Map.copyOf(results), lastCheckpointStep, resumedFromStep, restarts, reason);
    }

    JobRecord checkpointed(long atStep) {
        return new JobRecord(id, type, state, request, out, created, started, finished, step, totalSteps, progress,
                loss, tokensPerSecond, etaSeconds, metrics, evaluation, atStep, resumedFromStep, restarts, reason);
    }

    JobRecord resumedFrom(long atStep) {
        return new JobRecord(id, type, state, request, out, created, started, finished, atStep, totalSteps, progress,
                loss, tokensPerSecond, etaSeconds, metrics, evaluation, lastCheckpointStep, atStep, restarts, reason);
    }

    JobRecord restarted() {
        return new JobRecord(id, type, JobState.QUEUED, request, out, created, started, null, step, totalSteps,
                progress, loss, tokensPerSecond, etaSeconds, metrics, evaluation, lastCheckpointStep, resumedFromStep,
                restarts + 1,
                "resuming after a service restart");
    }
}
