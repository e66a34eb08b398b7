package dev.bertj.core.train;

/** Training cannot go on: a non-finite loss or gradient, a failed checkpoint, a task that threw. */
public class TrainingException extends RuntimeException {

    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
