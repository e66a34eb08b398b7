package dev.bertj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How the {@link Trainer} runs.
 *
 * @param totalSteps        optimizer steps of the whole run (a resumed run continues up to this)
 * @param accumulationSteps micro-batches per optimizer step (gradient accumulation); each one's loss is scaled by
 *                          {@code 1/accumulationSteps}
 * @param maxGradNorm       clip the global gradient norm to this (BERT: 1.0); 0 disables clipping
 * @param seed              the run's seed, recorded in checkpoints (the caller seeds the task's and data's
 *                          {@code Rng}s from it, e.g. with {@code Rng.forStream(seed, k)})
 * @param logEvery          steps per metrics-log line and per plain progress line
 * @param evalEvery         steps between evaluations (0: only at the end); needs an {@link Evaluator}
 * @param checkpointEvery   steps between checkpoints (0: only at the end); needs a {@link CheckpointManager}
 * @param saveOnCancel      write a checkpoint when cancelled, so the run can be resumed
 */
public record TrainerOptions(long totalSteps, int accumulationSteps, double maxGradNorm, long seed, int logEvery,
                             long evalEvery, long checkpointEvery, boolean saveOnCancel) {

    public TrainerOptions {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be positive, got " + totalSteps);
        }
        if (accumulationSteps <= 0) {
            throw new IllegalArgumentException("gradient accumulation steps must be positive, got " + accumulationSteps);
        }
        if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
            throw new IllegalArgumentException("max gradient norm must be >= 0 (0 disables clipping), got " + maxGradNorm);
        }
        if (logEvery <= 0) {
            throw new IllegalArgumentException("log interval must be positive, got " + logEvery);
        }
        if (evalEvery < 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("evaluation and checkpoint intervals must be >= 0 (0: only at the end), got "
                    + evalEvery + " and " + checkpointEvery);
        }
    }

    /** Options for {@code totalSteps} steps with BERT's defaults: no accumulation, clipping at 1.0, log every 10. */
    public static Builder builder(long totalSteps) {
        return new Builder(totalSteps);
    }

    ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("total_steps", totalSteps);
        o.put("accumulation_steps", accumulationSteps);
        o.put("max_grad_norm", maxGradNorm);
        o.put("seed", seed);
        o.put("log_every", logEvery);
        o.put("eval_every", evalEvery);
        o.put("checkpoint_every", checkpointEvery);
        o.put("save_on_cancel", saveOnCancel);
        return o;
    }

    static TrainerOptions fromJson(JsonNode o) {
        return new TrainerOptions(o.path("total_steps").asLong(), o.path("accumulation_steps").asInt(),
                o.path("max_grad_norm").asDouble(), o.path("seed").asLong(), o.path("log_every").asInt(),
                o.path("eval_every").asLong(), o.path("checkpoint_every").asLong(), o.path("save_on_cancel").asBoolean());
    }

    /** Fluent construction; every setter validates when {@link #build()} runs. */
    public static final class Builder {
        private final long totalSteps;
        private int accumulationSteps = 1;
        private double maxGradNorm = 1.0;
        private long seed = 42;
        private int logEvery = 10;
        private long evalEvery;
        private long checkpointEvery;
        private boolean saveOnCancel = true;

        private Builder(long totalSteps) {
            this.totalSteps = totalSteps;
        }

        public Builder accumulationSteps(int n) {
            this.accumulationSteps = n;
            return this;
        }

        public Builder maxGradNorm(double norm) {
            this.maxGradNorm = norm;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder logEvery(int steps) {
            this.logEvery = steps;
            return this;
        }

        public Builder evalEvery(long steps) {
            this.evalEvery = steps;
            return this;
        }

        public Builder checkpointEvery(long steps) {
            this.checkpointEvery = steps;
            return this;
        }

        public Builder saveOnCancel(boolean save) {
            this.saveOnCancel = save;
            return this;
        }

        public TrainerOptions build() {
            return new TrainerOptions(totalSteps, accumulationSteps, maxGradNorm, seed, logEvery, evalEvery,
                    checkpointEvery, saveOnCancel);
        }
    }
}
