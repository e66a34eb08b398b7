package dev.bertj.core.train;

import java.util.Map;

/**
 * Periodic evaluation: runs the model in evaluation mode (no dropout) on held-out data and returns named results.
 * A {@code "loss"} entry is drawn beside the training loss; every other entry gets its own picture, beside the
 * training metric of the same name.
 */
@FunctionalInterface
public interface Evaluator {

    /** @param step optimizer steps completed so far */
    Map<String, Double> evaluate(long step);
}
