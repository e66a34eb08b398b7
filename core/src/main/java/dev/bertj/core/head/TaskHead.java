package dev.bertj.core.head;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Tape;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A task head on the shared encoder: its parameters, its answers, and how it learns.
 * Inference ({@link #predict}) must be safe for concurrent callers.
 *
 * @param <Q> request type (a record that maps onto the service's JSON)
 * @param <R> response type
 * @param <E> labelled example type for fine-tuning and evaluation
 */
public interface TaskHead<Q, R, E> {

    HeadDescriptor descriptor();

    /** The head's own parameters (not the encoder's), named as they are stored in {@code head.safetensors}. */
    List<Parameter> parameters();

    /** The head's configuration, saved as {@code head.json} (labels, sizes, options). */
    ObjectNode config();

    /** Answers one request. */
    R predict(Q request);

    /** Answers a batch of requests; heads override this to batch the encoder call. */
    default List<R> predictBatch(List<Q> requests) {
        return requests.stream().map(this::predict).toList();
    }

    /** Reads labelled examples from a file in the task's usual format; options name columns etc. */
    List<E> readExamples(Path file, Map<String, String> options) throws IOException;

    /** Tokenizes and pads a batch of examples and prepares the head's targets. */
    HeadBatch<E> encode(List<E> examples, int maxLength);

    /**
     * The loss on a labelled batch, built on the tape from the encoder's outputs. A fresh head's output layer
     * is the only part that starts from scratch; gradients flow into the encoder through {@code encoder}.
     */
    HeadLoss loss(Tape tape, EncoderVars encoder, HeadBatch<E> batch);

    /**
     * An example's length in tokens after truncation to {@code maxLength}, for batching examples of similar length
     * (fine-tuning's {@code --bucket-by-length}); -1 if the head does not say (then batches are not bucketed).
     */
    default int tokenLength(E example, int maxLength) {
        return -1;
    }

    /**
     * Whether {@link #loss} reads the sequence output. A head that only reads the pooled output says no, and then
     * fine-tuning with a frozen encoder computes each example's pooled output once and reuses it in every epoch
     * (its {@link EncoderVars#sequenceOutput()} is then null).
     */
    default boolean usesSequenceOutput() {
        return true;
    }

    /** Scores the head on labelled examples with its task's metric(s) (accuracy, F1, EM, BLEU, ...). */
    Map<String, Double> evaluate(List<E> examples);

    /**
     * As {@link #evaluate(List)}, telling {@code progress} how far it has got. A head whose evaluation takes minutes
     * overrides this; the default reports only the end.
     */
    default Map<String, Double> evaluate(List<E> examples, EvaluationProgress progress) {
        Map<String, Double> metrics = evaluate(examples);
        progress.scored(examples.size(), examples.size(), "examples");
        return metrics;
    }

    /** Writes {@code head.json} and {@code head.safetensors} into {@code headDir}. */
    default void save(Path headDir) throws IOException {
        HeadFiles.save(this, headDir);
    }
}
