package dev.bertj.heads.translation;

import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decoder's masks and its key/value cache, on untrained decoders with peaked outputs. */
class TransformerDecoderTest {

    private static final int VOCAB = 23;
    private static final int BATCH = 3;
    private static final int SRC = 5;
    private static final int LEN = 7;

    private final TransformerDecoder decoder = RandomDecoders.decoder(VOCAB, 10, 11);
    private final INDArray memory = RandomDecoders.memory(decoder, BATCH, SRC, 12);
    private final int[][] mask = RandomDecoders.mask(BATCH, SRC);

    private INDArray fullLogits(int[][] ids, INDArray mem, int[][] memMask) {
        Tape tape = Tape.inference();
        return decoder.logits(tape, tape.constant(mem), memMask, ids, null).value();
    }

    private static int[][] randomIds(long seed) {
        Rng rng = new Rng(seed);
        int[][] ids = new int[BATCH][LEN];
        for (int[] row : ids) {
            for (int t = 0; t < LEN; t++) {
                row[t] = rng.nextInt(VOCAB);
            }
        }
        return ids;
    }

    @Test
    void noPositionSeesTheFuture() {
        int[][] ids = randomIds(1);
        INDArray before = fullLogits(ids, memory, mask);
        for (int changed = 1; changed < LEN; changed++) {
            int[][] altered = new int[BATCH][];
            for (int b = 0; b < BATCH; b++) {
                altered[b] = ids[b].clone();
                altered[b][changed] = (ids[b][changed] + 1 + b) % VOCAB;
            }
            INDArray after = fullLogits(altered, memory, mask);
            for (int b = 0; b < BATCH; b++) {
                for (int t = 0; t < LEN; t++) {
                    INDArray x = before.getRow((long) b * LEN + t);
                    INDArray y = after.getRow((long) b * LEN + t);
                    if (t < changed) {
                        assertThat(x.equalsWithEps(y, 1e-6)).as("position %d after changing token %d", t, changed).isTrue();
                    } else {
                        // Not vacuous: the changed token and what follows it do see the change.
                        assertThat(x.sub(y).norm2Number().doubleValue()).as("position %d after changing %d", t, changed)
                                .isGreaterThan(1e-3);
                    }
                }
            }
        }
    }

    @Test
    void paddedSourcePositionsAreNotAttended() {
        int[][] ids = randomIds(2);
        INDArray before = fullLogits(ids, memory, mask);
        // Overwrite the memory rows of padded source positions: nothing may change.
        INDArray noisy = memory.dup();
        int changedRows = 0;
        for (int b = 0; b < BATCH; b++) {
            for (int s = 0; s < SRC; s++) {
                if (mask[b][s] == 0) {
                    noisy.getRow((long) b * SRC + s).assign(Nd4j.randn(1, noisy.columns()).muli(5));
                    changedRows++;
                }
            }
        }
        assertThat(changedRows).isPositive();
        assertThat(fullLogits(ids, noisy, mask).equalsWithEps(before, 1e-5)).isTrue();
        // A real source position does matter.
        INDArray real = memory.dup();
        real.getRow(0).addi(1);
        assertThat(fullLogits(ids, real, mask).equalsWithEps(before, 1e-3)).isFalse();
    }

    @Test
    void cachedStepsMatchTheUncachedForward() {
        int[][] ids = randomIds(3);
        INDArray full = fullLogits(ids, memory, mask);
        KeyValueCache cache = decoder.startDecoding(memory, mask);
        for (int t = 0; t < LEN; t++) {
            int[] tokens = new int[BATCH];
            for (int b = 0; b < BATCH; b++) {
                tokens[b] = ids[b][t];
            }
            INDArray step = decoder.step(cache, tokens);
            for (int b = 0; b < BATCH; b++) {
                assertThat(step.getRow(b).equalsWithEps(full.getRow((long) b * LEN + t), 1e-4))
                        .as("sentence %d position %d", b, t).isTrue();
            }
        }
        assertThat(cache.length()).isEqualTo(LEN);
    }

    @Test
    void reorderedCacheMatchesTheUncachedForwardOfTheReorderedPrefixes() {
        int[][] ids = randomIds(4);
        int split = 3;
        KeyValueCache cache = decoder.startDecoding(memory, mask);
        for (int t = 0; t < split; t++) {
            int[] tokens = new int[BATCH];
            for (int b = 0; b < BATCH; b++) {
                tokens[b] = ids[b][t];
            }
            decoder.step(cache, tokens);
        }
        // As beam search does: row 2 continues twice, row 0 once, row 1 is dropped.
        int[] origin = {2, 0, 2};
        cache.select(origin);
        int[][] reordered = new int[origin.length][];
        INDArray reorderedMemory = Nd4j.create(memory.dataType(), (long) origin.length * SRC, memory.columns());
        int[][] reorderedMask = new int[origin.length][];
        for (int i = 0; i < origin.length; i++) {
            reordered[i] = ids[origin[i]].clone();
            reordered[i][split] = (i * 5 + 1) % VOCAB;  // the rows now diverge
            reordered[i][split + 1] = (i * 7 + 2) % VOCAB;
            for (int s = 0; s < SRC; s++) {
                reorderedMemory.getRow((long) i * SRC + s).assign(memory.getRow((long) origin[i] * SRC + s));
            }
            reorderedMask[i] = mask[origin[i]];
        }
        INDArray full = fullLogits(reordered, reorderedMemory, reorderedMask);
        for (int t = split; t < split + 2; t++) {
            int[] tokens = new int[origin.length];
            for (int i = 0; i < origin.length; i++) {
                tokens[i] = reordered[i][t];
            }
            INDArray step = decoder.step(cache, tokens);
            for (int i = 0; i < origin.length; i++) {
                assertThat(step.getRow(i).equalsWithEps(full.getRow((long) i * LEN + t), 1e-4))
                        .as("row %d (from %d) position %d", i, origin[i], t).isTrue();
            }
        }
    }

    @Test
    void parametersCarryHuggingFaceBert2BertNames() {
        List<String> names = decoder.parameters().stream().map(p -> p.name()).toList();
        assertThat(names).contains("enc_to_dec_proj.weight",
                "decoder.bert.embeddings.word_embeddings.weight",
                "decoder.bert.embeddings.position_embeddings.weight",
                "decoder.bert.embeddings.LayerNorm.weight",
                "decoder.bert.encoder.layer.0.attention.self.query.weight",
                "decoder.bert.encoder.layer.1.crossattention.self.key.bias",
                "decoder.bert.encoder.layer.1.crossattention.output.LayerNorm.bias",
                "decoder.bert.encoder.layer.0.intermediate.dense.weight",
                "decoder.bert.encoder.layer.0.output.dense.weight",
                "decoder.cls.predictions.transform.dense.weight",
                "decoder.cls.predictions.bias");
        // Tied: no separate output projection.
        assertThat(names).doesNotContain("decoder.cls.predictions.decoder.weight");
        assertThat(names).doesNotHaveDuplicates();
    }

    @Test
    void targetsBeyondTheLearnedPositionsAreRejected() {
        int[][] ids = new int[1][11];
        assertThatThrownBy(() -> fullLogits(ids, memory.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, SRC),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), new int[][] {mask[0]}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond the decoder's 10 learned positions");
    }
}
