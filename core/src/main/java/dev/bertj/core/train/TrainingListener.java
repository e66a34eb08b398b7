package dev.bertj.core.train;

import java.nio.file.Path;
import java.util.Map;

/**
 * Progress callbacks (the service streams them as server-sent events). Called on the training thread: return
 * quickly. An exception thrown here is reported and does not stop training.
 */
public interface TrainingListener {

    default void onStep(StepReport report) {
    }

    default void onEvaluation(long step, Map<String, Double> results) {
    }

    default void onCheckpoint(long step, Path directory) {
    }

    default void onFinish(TrainingResult result) {
    }
}
