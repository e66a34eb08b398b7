package dev.bertj.heads.translation;

import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.modules.Init;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Untrained decoders and encoder memories for tests of the decoder's mechanics. Weights are drawn with a large
 * standard deviation (0.3 rather than BERT's 0.02) so that outputs depend strongly on their inputs and next-token
 * distributions are peaked: a leak through the causal mask or a stale cache entry then shows.
 */
final class RandomDecoders {

    static final int ENCODER_HIDDEN = 12;

    private RandomDecoders() {
    }

    static DecoderConfig config(int vocab, int maxPositions) {
        return new DecoderConfig(vocab, 16, 2, 4, 32, "gelu", 0.0, 0.0, maxPositions, 1e-12, 0.3, ENCODER_HIDDEN, 0.1);
    }

    static TransformerDecoder decoder(int vocab, int maxPositions, long seed) {
        return TransformerDecoder.create(config(vocab, maxPositions), new Rng(seed));
    }

    /** A projected memory {@code [batch * srcLen, hidden]} for random encoder states. */
    static INDArray memory(TransformerDecoder decoder, int batch, int srcLen, long seed) {
        INDArray encoder = Init.normal(new long[] {(long) batch * srcLen, ENCODER_HIDDEN}, 1.0, new Rng(seed));
        Tape tape = Tape.inference();
        return decoder.memory(tape, tape.constant(encoder)).value();
    }

    /** Source masks with the last {@code b} positions of sentence b padded (sentence 0 has none). */
    static int[][] mask(int batch, int srcLen) {
        int[][] m = new int[batch][srcLen];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < srcLen; t++) {
                m[b][t] = t < srcLen - Math.min(b, srcLen - 1) ? 1 : 0;
            }
        }
        return m;
    }
}
