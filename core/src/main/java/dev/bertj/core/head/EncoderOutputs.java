package dev.bertj.core.head;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the encoder publishes for a batch: the sequence output (last hidden states) {@code [batch * seqLen,
 * hidden]}, row {@code b * seqLen + t} for token t of sequence b, and the pooled output (tanh pooler on
 * [CLS]) {@code [batch, hidden]}. The arrays belong to the caller until the next call on the same runner
 * unless the runner says otherwise; heads copy what they keep.
 */
public record EncoderOutputs(EncoderBatch batch, INDArray sequenceOutput, INDArray pooledOutput) {

    public int hidden() {
        return (int) sequenceOutput.size(1);
    }
}
