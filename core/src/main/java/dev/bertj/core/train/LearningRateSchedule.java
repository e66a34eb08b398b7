package dev.bertj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The learning rate of each optimizer step. {@code step} counts the optimizer steps already taken (0 for the first
 * update), as BERT's {@code global_step} and PyTorch's {@code LambdaLR} both do, so with warm-up the very first
 * update has learning rate 0.
 */
public sealed interface LearningRateSchedule {

    /** The learning rate of the update that follows {@code step} completed optimizer steps. */
    double at(long step);

    /** The schedule as JSON, for {@code trainer_state.json}; {@link #fromJson} reads it back. */
    ObjectNode toJson();

    /** A fixed learning rate. */
    static LearningRateSchedule constant(double learningRate) {
        return new Constant(learningRate);
    }

    /** Linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then constant. */
    static LearningRateSchedule warmupConstant(double peak, long warmupSteps) {
        return new WarmupConstant(peak, warmupSteps);
    }

    /**
     * Linear warm-up to {@code peak}, then linear decay from {@code peak} at the end of warm-up to 0 at
     * {@code totalSteps}: Hugging Face's {@code get_linear_schedule_with_warmup}, the fine-tuning default.
     */
    static LearningRateSchedule linearWarmupDecay(double peak, long warmupSteps, long totalSteps) {
        return new LinearWarmupDecay(peak, warmupSteps, totalSteps);
    }

    /**
     * google-research/bert's {@code create_optimizer}: a polynomial (power 1) decay {@code peak * (1 - step/total)}
     * over the whole run, replaced during the first {@code warmupSteps} by the linear warm-up
     * {@code peak * step/warmup}. The decay is measured from step 0, so at the end of warm-up the rate drops from
     * {@code peak} to {@code peak * (1 - warmup/total)}: that is how BERT was trained, kept for exactness.
     */
    static LearningRateSchedule bertWarmupDecay(double peak, long warmupSteps, long totalSteps) {
        return new BertWarmupDecay(peak, warmupSteps, totalSteps);
    }

    /** Reads a schedule written by {@link #toJson()}. */
    static LearningRateSchedule fromJson(JsonNode json) {
        String type = json.path("type").asText("");
        double peak = json.path("learning_rate").asDouble(Double.NaN);
        long warmup = json.path("warmup_steps").asLong(0);
        long total = json.path("total_steps").asLong(0);
        return switch (type) {
            case "constant" -> constant(peak);
            case "warmup_constant" -> warmupConstant(peak, warmup);
            case "linear" -> linearWarmupDecay(peak, warmup, total);
            case "bert" -> bertWarmupDecay(peak, warmup, total);
            default -> throw new IllegalArgumentException("unknown learning-rate schedule type '" + type
                    + "' (expected constant, warmup_constant, linear or bert): " + json);
        };
    }

    private static void checkRate(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be >= 0 and finite, got " + lr);
        }
    }

    private static void checkSteps(long warmup, long total) {
        if (warmup < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmup);
        }
        if (total <= 0 || warmup > total) {
            throw new IllegalArgumentException("total steps must be positive and >= warm-up steps, got total "
                    + total + ", warm-up " + warmup);
        }
    }

    private static ObjectNode json(String type, double lr, long warmup, long total) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", type);
        o.put("learning_rate", lr);
        if (warmup >= 0) {
            o.put("warmup_steps", warmup);
        }
        if (total >= 0) {
            o.put("total_steps", total);
        }
        return o;
    }

    record Constant(double learningRate) implements LearningRateSchedule {
        public Constant {
            checkRate(learningRate);
        }

        @Override
        public double at(long step) {
            return learningRate;
        }

        @Override
        public ObjectNode toJson() {
            return json("constant", learningRate, -1, -1);
        }
    }

    record WarmupConstant(double peak, long warmupSteps) implements LearningRateSchedule {
        public WarmupConstant {
            checkRate(peak);
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
            }
        }

        @Override
        public double at(long step) {
            return step < warmupSteps ? peak * step / warmupSteps : peak;
        }

        @Override
        public ObjectNode toJson() {
            return json("warmup_constant", peak, warmupSteps, -1);
        }
    }

    record LinearWarmupDecay(double peak, long warmupSteps, long totalSteps) implements LearningRateSchedule {
        public LinearWarmupDecay {
            checkRate(peak);
            checkSteps(warmupSteps, totalSteps);
        }

        @Override
        public double at(long step) {
            if (step < warmupSteps) {
                return peak * step / Math.max(1, warmupSteps);
            }
            return peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
        }

        @Override
        public ObjectNode toJson() {
            return json("linear", peak, warmupSteps, totalSteps);
        }
    }

    record BertWarmupDecay(double peak, long warmupSteps, long totalSteps) implements LearningRateSchedule {
        public BertWarmupDecay {
            checkRate(peak);
            checkSteps(warmupSteps, totalSteps);
        }

        @Override
        public double at(long step) {
            if (step < warmupSteps) {
                return peak * step / warmupSteps;
            }
            return peak * (1.0 - (double) Math.min(step, totalSteps) / totalSteps);
        }

        @Override
        public ObjectNode toJson() {
            return json("bert", peak, warmupSteps, totalSteps);
        }
    }
}
