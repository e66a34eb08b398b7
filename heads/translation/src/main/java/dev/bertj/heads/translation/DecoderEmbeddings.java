package dev.bertj.heads.translation;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.Embedding;
import dev.bertj.core.nn.modules.LayerNorm;

import java.util.List;

/**
 * The target side's {@code BertEmbeddings}: word embeddings (also the output projection, tied) plus learned
 * absolute position embeddings, then LayerNorm and dropout. No token types: a decoder reads one sequence.
 */
final class DecoderEmbeddings {

    final Embedding wordEmbeddings;
    final Embedding positionEmbeddings;
    final LayerNorm norm;

    private DecoderEmbeddings(Embedding words, Embedding positions, LayerNorm norm) {
        this.wordEmbeddings = words;
        this.positionEmbeddings = positions;
        this.norm = norm;
    }

    static DecoderEmbeddings create(String prefix, DecoderConfig c, Rng rng) {
        return new DecoderEmbeddings(
                Embedding.create(prefix + "word_embeddings", c.vocabSize(), c.hiddenSize(), c.initializerRange(), rng),
                Embedding.create(prefix + "position_embeddings", c.maxPositions(), c.hiddenSize(), c.initializerRange(), rng),
                LayerNorm.create(prefix + "LayerNorm", c.hiddenSize(), c.layerNormEps()));
    }

    /** Embeddings of {@code ids} at {@code positions} (same length), {@code [ids.length, hidden]}. */
    Var forward(Tape tape, int[] ids, int[] positions, double dropout, Rng rng) {
        for (int p : positions) {
            if (p >= positionEmbeddings.size()) {
                throw new IllegalArgumentException("target position " + p + " is beyond the decoder's "
                        + positionEmbeddings.size() + " learned positions (max_position_embeddings)");
            }
        }
        Var x = tape.add(wordEmbeddings.forward(tape, ids), positionEmbeddings.forward(tape, positions));
        return tape.dropout(norm.forward(tape, x), dropout, rng);
    }

    List<Parameter> parameters() {
        return List.of(wordEmbeddings.parameter(), positionEmbeddings.parameter(), norm.parameters().get(0),
                norm.parameters().get(1));
    }
}
