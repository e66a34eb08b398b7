package dev.bertj.heads.translation;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.LayerNorm;
import dev.bertj.core.nn.modules.Linear;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The Transformer decoder of the translation head, laid out as Hugging Face's bert2bert
 * {@code EncoderDecoderModel} (so parameter names map one-to-one): {@code enc_to_dec_proj} when the encoder is
 * wider or narrower than the decoder, then a {@code BertLMHeadModel} decoder: {@code decoder.bert.embeddings},
 * N {@code decoder.bert.encoder.layer.i} with masked self-attention, cross-attention and feed-forward (post-LN),
 * and the LM head {@code decoder.cls.predictions} (transform dense + activation + LayerNorm, then the word
 * embeddings transposed as the output projection, tied, plus a bias).
 *
 * <p>Two ways to run it. {@link #logits} takes whole target sequences (training, scoring and the uncached
 * reference path); {@link #startDecoding} + {@link #step} feed one token per hypothesis at a time with a
 * {@link KeyValueCache}. Both compute the same function; tests hold them to that.
 */
final class TransformerDecoder {

    static final String PREFIX = "decoder.";
    private static final String LAYER_PREFIX = PREFIX + "bert.encoder.layer.";

    private final DecoderConfig config;
    private final Linear encoderProjection;
    private final DecoderEmbeddings embeddings;
    private final List<DecoderLayer> layers;
    private final Linear transform;
    private final LayerNorm transformNorm;
    private final Parameter outputBias;

    private TransformerDecoder(DecoderConfig config, Linear encoderProjection, DecoderEmbeddings embeddings,
                               List<DecoderLayer> layers, Linear transform, LayerNorm transformNorm,
                               Parameter outputBias) {
        this.config = config;
        this.encoderProjection = encoderProjection;
        this.embeddings = embeddings;
        this.layers = layers;
        this.transform = transform;
        this.transformNorm = transformNorm;
        this.outputBias = outputBias;
    }

    /** Fresh parameters, initialised as BERT: normal(0, initializer_range), biases 0, LayerNorm (1, 0). */
    static TransformerDecoder create(DecoderConfig c, Rng rng) {
        double std = c.initializerRange();
        Linear projection = c.encoderHiddenSize() == c.hiddenSize() ? null
                : Linear.create("enc_to_dec_proj", c.encoderHiddenSize(), c.hiddenSize(), true, std, rng);
        DecoderEmbeddings embeddings = DecoderEmbeddings.create(PREFIX + "bert.embeddings.", c, rng);
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            layers.add(DecoderLayer.create(LAYER_PREFIX + i + ".", c, rng));
        }
        String head = PREFIX + "cls.predictions.";
        return new TransformerDecoder(c, projection, embeddings, List.copyOf(layers),
                Linear.create(head + "transform.dense", c.hiddenSize(), c.hiddenSize(), true, std, rng),
                LayerNorm.create(head + "transform.LayerNorm", c.hiddenSize(), c.layerNormEps()),
                Parameter.of(head + "bias", Nd4j.zeros(DataType.FLOAT, c.vocabSize())));
    }

    DecoderConfig config() {
        return config;
    }

    /** Every parameter once (the tied output projection is the word embedding table). */
    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        if (encoderProjection != null) {
            all.addAll(encoderProjection.parameters());
        }
        all.addAll(embeddings.parameters());
        for (DecoderLayer layer : layers) {
            all.addAll(layer.parameters());
        }
        all.addAll(transform.parameters());
        all.addAll(transformNorm.parameters());
        all.add(outputBias);
        return all;
    }

    /** The encoder's sequence output {@code [batch * srcLen, encoderHidden]} in the decoder's width. */
    Var memory(Tape tape, Var encoderOutput) {
        if (encoderOutput.columns() != config.encoderHiddenSize()) {
            throw new IllegalArgumentException("the encoder output is " + encoderOutput.columns()
                    + " wide, this decoder was built for encoder_hidden_size " + config.encoderHiddenSize());
        }
        return encoderProjection == null ? encoderOutput : encoderProjection.forward(tape, encoderOutput);
    }

    /** Logits over the target vocabulary for hidden states {@code [rows, hidden]}: the tied LM head. */
    Var lmHead(Tape tape, Var hidden) {
        Var h = transform.forward(tape, hidden);
        h = config.hiddenAct().equals("relu") ? tape.relu(h) : tape.gelu(h);
        h = transformNorm.forward(tape, h);
        Var logits = tape.matmul(h, embeddings.wordEmbeddings.table(tape), false, true);
        return tape.addRow(logits, tape.param(outputBias));
    }

    /**
     * Final hidden states of whole target sequences, {@code [batch * len, hidden]}, row {@code b * len + t}.
     *
     * @param memory     the projected encoder output {@link #memory}, {@code [batch * srcLen, hidden]}
     * @param memoryMask per sequence, 1 for real source tokens
     * @param inputIds   decoder inputs ({@code [CLS] y1 .. y(n-1)}, right-padded), all of one length
     * @param rng        dropout (used only on a recording tape)
     */
    Var hiddenStates(Tape tape, Var memory, int[][] memoryMask, int[][] inputIds, Rng rng) {
        int batch = inputIds.length;
        int len = inputIds[0].length;
        if (memory.rows() != (long) batch * memoryMask[0].length) {
            throw new IllegalArgumentException("memory has " + memory.rows() + " rows for " + batch + " sequences of "
                    + memoryMask[0].length + " source tokens");
        }
        int[] ids = new int[batch * len];
        int[] positions = new int[batch * len];
        for (int b = 0; b < batch; b++) {
            if (inputIds[b].length != len) {
                throw new IllegalArgumentException("decoder input " + b + " is not padded to " + len);
            }
            for (int t = 0; t < len; t++) {
                ids[b * len + t] = inputIds[b][t];
                positions[b * len + t] = t;
            }
        }
        Var x = embeddings.forward(tape, ids, positions, config.hiddenDropout(), rng);
        for (DecoderLayer layer : layers) {
            Var crossKeys = layer.crossAttention.keys(tape, memory);
            Var crossValues = layer.crossAttention.values(tape, memory);
            x = layer.forward(tape, x, batch, null, 0, crossKeys, crossValues, memoryMask, rng);
        }
        return x;
    }

    /** Logits {@code [batch * len, vocab]} of whole target sequences (see {@link #hiddenStates}). */
    Var logits(Tape tape, Var memory, int[][] memoryMask, int[][] inputIds, Rng rng) {
        return lmHead(tape, hiddenStates(tape, memory, memoryMask, inputIds, rng));
    }

    /**
     * Prepares incremental decoding of {@code rows} hypotheses: computes every layer's cross-attention keys and
     * values of the memory once.
     *
     * @param memory     projected encoder output {@code [rows * srcLen, hidden]} (inference: no gradient)
     * @param memoryMask per row, 1 for real source tokens
     */
    KeyValueCache startDecoding(INDArray memory, int[][] memoryMask) {
        Tape tape = Tape.inference();
        Var m = tape.constant(memory);
        INDArray[] keys = new INDArray[layers.size()];
        INDArray[] values = new INDArray[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            keys[l] = layers.get(l).crossAttention.keys(tape, m).value();
            values[l] = layers.get(l).crossAttention.values(tape, m).value();
        }
        return new KeyValueCache(keys, values, memoryMask, config.hiddenSize());
    }

    /**
     * One decoding step: feeds {@code tokens[r]} to hypothesis r at position {@code cache.length()} and returns
     * the logits of the next token, {@code [rows, vocab]}. Appends this step's keys and values to the cache.
     */
    INDArray step(KeyValueCache cache, int[] tokens) {
        if (tokens.length != cache.rows()) {
            throw new IllegalArgumentException(tokens.length + " tokens for " + cache.rows() + " hypotheses");
        }
        Tape tape = Tape.inference();
        int[] positions = new int[tokens.length];
        java.util.Arrays.fill(positions, cache.length());
        Var x = embeddings.forward(tape, tokens, positions, 0, null);
        for (int l = 0; l < layers.size(); l++) {
            x = layers.get(l).forward(tape, x, cache.rows(), cache, l, cache.crossKeys(tape, l),
                    cache.crossValues(tape, l), cache.memoryMask(), null);
        }
        cache.advance();
        return lmHead(tape, x).value();
    }
}
