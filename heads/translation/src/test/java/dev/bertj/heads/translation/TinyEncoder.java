package dev.bertj.heads.translation;

import dev.bertj.core.head.EncoderBatch;
import dev.bertj.core.head.EncoderOutputs;
import dev.bertj.core.head.EncoderRunner;
import dev.bertj.core.head.EncoderVars;
import dev.bertj.core.head.HeadContext;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import dev.bertj.core.nn.modules.Init;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stand-in for BERT in the head's tests: a word-level source vocabulary and an "encoder" whose output for token
 * t of a sentence is a learned embedding of its id plus a fixed random vector for position t. Small and fast, yet
 * enough for a decoder to learn word-for-word translation with reordering (it must find source positions through
 * cross-attention). Its embedding trains through {@link EncoderVars}, exercising the head's gradient path into
 * the encoder.
 */
final class TinyEncoder implements HeadContext, EncoderRunner {

    static final int MAX_SOURCE = 16;

    private final BertConfig config;
    private final WordPieceTokenizer tokenizer;
    private final Parameter wordEmbeddings;
    private final INDArray positions;
    private final Rng rng;

    TinyEncoder(List<String> sourceWords, int hidden, long seed) {
        List<String> vocab = new ArrayList<>(List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.CLS, Vocabulary.SEP,
                Vocabulary.MASK));
        vocab.addAll(sourceWords);
        this.tokenizer = WordPieceTokenizer.of(Vocabulary.of(vocab), TokenizerOptions.uncased());
        this.config = new BertConfig(vocab.size(), hidden, 1, 1, hidden, "gelu", 0.1, 0.1, MAX_SOURCE, 2, 1e-12,
                0.02, 0, java.util.Map.of());
        Rng init = new Rng(seed);
        this.wordEmbeddings = Parameter.of("tiny.word_embeddings.weight", Init.normal(new long[] {vocab.size(), hidden}, 1.0, init));
        this.positions = Init.normal(new long[] {MAX_SOURCE, hidden}, 1.0, init);
        this.rng = new Rng(seed + 1);
    }

    Parameter wordEmbeddings() {
        return wordEmbeddings;
    }

    /** The encoder output on a tape: the gradient the head sends into it reaches the word embeddings. */
    EncoderVars forward(Tape tape, EncoderBatch batch) {
        int n = batch.batchSize();
        int len = batch.seqLen();
        int[] ids = new int[n * len];
        int[] pos = new int[n * len];
        for (int b = 0; b < n; b++) {
            for (int t = 0; t < len; t++) {
                ids[b * len + t] = batch.inputIds()[b][t];
                pos[b * len + t] = t;
            }
        }
        Var words = tape.rows(tape.param(wordEmbeddings), ids);
        Var sequence = tape.add(words, tape.rows(tape.constant(positions), pos));
        return new EncoderVars(batch, sequence, null);
    }

    @Override
    public EncoderOutputs encode(EncoderBatch batch) {
        Tape tape = Tape.inference();
        return new EncoderOutputs(batch, forward(tape, batch).sequenceOutput().value(), null);
    }

    @Override
    public BertConfig config() {
        return config;
    }

    @Override
    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public EncoderRunner encoder() {
        return this;
    }

    @Override
    public Optional<Parameter> encoderParameter(String name) {
        return Optional.empty();
    }

    @Override
    public Path modelDir() {
        return null;
    }

    @Override
    public Rng rng() {
        return rng;
    }
}
