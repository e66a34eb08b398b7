package dev.bertj.core.head;

import dev.bertj.core.nn.Var;

/**
 * The encoder's outputs as tape inputs during training: a head builds its loss on them, and after
 * {@code tape.backward(loss)} their gradients are what the encoder's backward pass starts from.
 */
public record EncoderVars(EncoderBatch batch, Var sequenceOutput, Var pooledOutput) {
}
