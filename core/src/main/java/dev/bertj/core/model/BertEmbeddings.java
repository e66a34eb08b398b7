package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.LayerNorm;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;

import java.nio.FloatBuffer;

/**
 * The input representation (BERT paper, figure 2): the sum of the WordPiece token embedding, the learned
 * position embedding and the segment (token type) embedding, then LayerNorm (and dropout in training).
 */
public final class BertEmbeddings {

    final Parameter wordEmbeddings;
    final Parameter positionEmbeddings;
    final Parameter tokenTypeEmbeddings;
    final Parameter layerNormWeight;
    final Parameter layerNormBias;
    private final Floats word;
    private final Floats position;
    private final Floats tokenType;
    private final Floats gamma;
    private final Floats beta;
    private final int hidden;
    private final double eps;

    BertEmbeddings(BertConfig config, Parameters params, String prefix) {
        hidden = config.hiddenSize();
        eps = config.layerNormEps();
        wordEmbeddings = params.create(prefix + "word_embeddings.weight", config.vocabSize(), hidden);
        positionEmbeddings = params.create(prefix + "position_embeddings.weight", config.maxPositionEmbeddings(), hidden);
        tokenTypeEmbeddings = params.create(prefix + "token_type_embeddings.weight", config.typeVocabSize(), hidden);
        layerNormWeight = params.create(prefix + "LayerNorm.weight", hidden);
        layerNormBias = params.create(prefix + "LayerNorm.bias", hidden);
        word = Floats.of(wordEmbeddings.value());
        position = Floats.of(positionEmbeddings.value());
        tokenType = Floats.of(tokenTypeEmbeddings.value());
        gamma = Floats.of(layerNormWeight.value());
        beta = Floats.of(layerNormBias.value());
    }

    /** The word embedding matrix [vocab, hidden], which the masked-LM decoder shares. */
    Floats wordMatrix() {
        return word;
    }

    /** Writes the embeddings' output into {@code act.hiddenStates[0]}. Position ids are 0..seqLen-1. */
    void forward(BertActivations act) {
        int seqLen = act.seqLen;
        FloatBuffer sumOut = act.embeddingSum.buffer();
        Floats out = act.hiddenStates[0];
        Parallel.forRange(act.tokens, 32, (from, to) -> {
            FloatBuffer w = word.buffer();
            FloatBuffer p = position.buffer();
            FloatBuffer t = tokenType.buffer();
            for (int r = from; r < to; r++) {
                int wo = act.inputIds[r] * hidden;
                int po = (r % seqLen) * hidden;
                int to2 = act.tokenTypeIds[r] * hidden;
                int o = r * hidden;
                for (int j = 0; j < hidden; j++) {
                    sumOut.put(o + j, w.get(wo + j) + p.get(po + j) + t.get(to2 + j));
                }
            }
            LayerNorm.forward(sumOut, null, null, null, out.buffer(), gamma.buffer(), beta.buffer(),
                    buf(act.embeddingMean), buf(act.embeddingRstd), hidden, eps, from, to);
        });
    }

    static FloatBuffer buf(Floats f) {
        return f == null ? null : f.buffer();
    }
}
