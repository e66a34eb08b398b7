package dev.bertj.core.train;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import java.util.List;
import java.util.Map;

/**
 * One training objective: pre-training (MLM + NSP) or a fine-tuning head. The {@link Trainer} owns the loop, the
 * optimizer, the schedule, checkpoints and reporting; a task only knows how to learn from one batch.
 *
 * @param <B> the batch type its {@link DataSource} produces
 */
public interface TrainingTask<B> {

    /**
     * Every parameter of the model, frozen ones included: all are saved in checkpoints, only the
     * {@link Parameter#trainable() trainable} ones are updated. The list must stay the same for the whole run.
     */
    List<Parameter> parameters();

    /**
     * Forward, loss and backward on one (micro-)batch, in training mode (dropout on).
     *
     * <p>The gradient of {@code lossScale * loss} is ADDED into each trainable parameter's {@link Parameter#grad()}:
     * the trainer zeroes the gradients before each optimizer step and, with gradient accumulation over N
     * micro-batches, passes {@code lossScale = 1/N} so that the accumulated gradient is that of the mean loss.
     *
     * @return the unscaled loss of this batch, its task metrics (e.g. {@code mlm_accuracy}) and its token count
     */
    StepResult trainStep(B batch, float lossScale);

    /**
     * Random generators whose state must survive a crash and resume (e.g. {@code "dropout"}), by a stable name.
     * The trainer saves their states in {@code trainer_state.json} and restores them in place on resume.
     */
    default Map<String, Rng> rngs() {
        return Map.of();
    }
}
