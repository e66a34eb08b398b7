package dev.bertj.core.model;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.nn.Dropout;
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
    private final GradientView wordGrad;
    private final GradientView positionGrad;
    private final GradientView tokenTypeGrad;
    private final GradientView gammaGrad;
    private final GradientView betaGrad;
    private final int hidden;
    private final double eps;
    private final double dropoutProb;

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
        wordGrad = GradientView.of(wordEmbeddings);
        positionGrad = GradientView.of(positionEmbeddings);
        tokenTypeGrad = GradientView.of(tokenTypeEmbeddings);
        gammaGrad = GradientView.of(layerNormWeight);
        betaGrad = GradientView.of(layerNormBias);
        dropoutProb = config.hiddenDropoutProb();
    }

    /** The word embeddings' gradient (null when frozen), into which the tied masked-LM decoder adds. */
    Floats wordGradient() {
        return wordGrad.get();
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
        Floats keep = act.keep(act.embeddingKeep);
        Parallel.forRange(act.tokens, Parallel.rowsPerShare(2 * hidden), (from, to) -> {
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
            if (keep != null) {
                FloatBuffer k = keep.buffer();
                FloatBuffer o = out.buffer();
                Dropout.fill(k, dropoutProb, act.dropoutKey, 0, from * hidden, to * hidden);
                for (int i = from * hidden; i < to * hidden; i++) {
                    o.put(i, o.get(i) * k.get(i));
                }
            }
        });
    }

    /**
     * Backward from {@code dOut} = d(embeddings output) [T, H], which is overwritten: through dropout and LayerNorm,
     * then scatter-added into the rows of the word, position and token type embeddings that the batch used.
     */
    void backward(BertActivations act, Floats dOut) {
        int t = act.tokens;
        int seqLen = act.seqLen;
        FloatBuffer d = dOut.buffer();
        Floats keep = act.keep(act.embeddingKeep);
        if (keep != null) {
            FloatBuffer k = keep.buffer();
            Parallel.forRange(t, 32, (from, to) -> {
                for (int i = from * hidden; i < to * hidden; i++) {
                    d.put(i, d.get(i) * k.get(i));
                }
            });
        }
        Floats dGamma = gammaGrad.get();
        Floats dBeta = betaGrad.get();
        FloatBuffer x = act.embeddingSum.buffer();
        FloatBuffer mean = act.embeddingMean.buffer();
        FloatBuffer rstd = act.embeddingRstd.buffer();
        if (dGamma != null || dBeta != null) {
            Parallel.forRange(hidden, 16, (from, to) -> LayerNorm.backwardParams(d, x, mean, rstd, buf(dGamma),
                    buf(dBeta), hidden, t, from, to));
        }
        Floats dWord = wordGrad.get();
        Floats dPosition = positionGrad.get();
        Floats dType = tokenTypeGrad.get();
        if (dWord == null && dPosition == null && dType == null) {
            return;
        }
        Parallel.forRange(t, 16, (from, to) -> LayerNorm.backward(d, x, mean, rstd, gamma.buffer(), d, null, null,
                hidden, from, to));
        // By columns: two rows of the batch may share a token id, so splitting by rows would race.
        Parallel.forRange(hidden, 16, (from, to) -> {
            for (int r = 0; r < t; r++) {
                int o = r * hidden;
                if (dWord != null) {
                    addRow(dWord.buffer(), act.inputIds[r] * hidden, d, o, from, to);
                }
                if (dPosition != null) {
                    addRow(dPosition.buffer(), (r % seqLen) * hidden, d, o, from, to);
                }
                if (dType != null) {
                    addRow(dType.buffer(), act.tokenTypeIds[r] * hidden, d, o, from, to);
                }
            }
        });
    }

    private static void addRow(FloatBuffer dst, int dstRow, FloatBuffer src, int srcRow, int from, int to) {
        for (int j = from; j < to; j++) {
            dst.put(dstRow + j, dst.get(dstRow + j) + src.get(srcRow + j));
        }
    }

    static FloatBuffer buf(Floats f) {
        return f == null ? null : f.buffer();
    }
}
