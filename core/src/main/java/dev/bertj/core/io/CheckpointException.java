package dev.bertj.core.io;

/**
 * A checkpoint that cannot be used: missing, truncated, corrupt, or disagreeing with the config.
 * The message always names the file and, where there is one, the tensor.
 */
public class CheckpointException extends RuntimeException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
