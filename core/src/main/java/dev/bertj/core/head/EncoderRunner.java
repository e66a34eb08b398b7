package dev.bertj.core.head;

/** Runs the shared encoder for inference; safe for concurrent callers. */
@FunctionalInterface
public interface EncoderRunner {

    EncoderOutputs encode(EncoderBatch batch);
}
