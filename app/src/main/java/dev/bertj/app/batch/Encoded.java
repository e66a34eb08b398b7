package dev.bertj.app.batch;

/**
 * The encoder's outputs for one caller's sequences, in the caller's own padded shape: the last hidden state
 * {@code [batch, seqLen, hidden]} row-major and, if the model has a pooler, the pooled output {@code [batch, hidden]}
 * (else {@code null}). Padding positions hold zeros.
 */
public record Encoded(int batch, int seqLen, int hidden, float[] lastHiddenState, float[] pooled) {
}
