package dev.bertj.heads.qa;

import dev.bertj.core.head.EncoderBatch;
import dev.bertj.core.head.EncoderOutputs;
import dev.bertj.core.head.EncoderRunner;
import dev.bertj.core.head.HeadContext;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in encoder for head tests: a fixed, deterministic function whose "hidden state" of a token is the one-hot
 * vector of its id (hidden size = vocabulary size), so that a head's weights for token id k act on exactly that
 * token. Padding positions are zero. It counts the windows it encodes.
 *
 * <p>The real encoder (a tiny random BertModel, fine-tuned through its backward pass) is in {@link FineTuningTest}
 * and {@code RealEncoderTest}.
 */
final class OneHotModel implements HeadContext {

    static final List<String> TOKENS = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "the", "a", "is", "in", "of", "what", "where", "who", "did", "go", "color", "city", "zoe", "visited",
            "cafe", "muller", "yesterday", "red", "green", "blue", "alpha", "omega", "run", "##ning", "東", "京",
            ".", ",", "?", "!", "and", "to", "was", "it", "sky", "grass");

    final Vocabulary vocabulary;
    final WordPieceTokenizer tokenizer;
    final BertConfig config;
    final AtomicInteger windowsEncoded = new AtomicInteger();
    final AtomicInteger encoderCalls = new AtomicInteger();
    private final Rng rng = new Rng(7);

    OneHotModel() {
        List<String> tokens = new ArrayList<>(TOKENS);
        // Filler words w0..w199 for long contexts.
        for (int i = 0; i < 200; i++) {
            tokens.add("w" + i);
        }
        vocabulary = Vocabulary.of(tokens);
        tokenizer = WordPieceTokenizer.of(vocabulary, TokenizerOptions.uncased());
        config = BertConfig.of(tokens.size(), tokens.size(), 1, 1, 4);
    }

    int id(String token) {
        int id = vocabulary.id(token);
        if (id < 0) {
            throw new IllegalArgumentException("not in the test vocabulary: " + token);
        }
        return id;
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
        return this::encode;
    }

    EncoderOutputs encode(EncoderBatch batch) {
        encoderCalls.incrementAndGet();
        windowsEncoded.addAndGet(batch.batchSize());
        int n = batch.batchSize();
        int len = batch.seqLen();
        int hidden = config.hiddenSize();
        float[] seq = new float[n * len * hidden];
        for (int b = 0; b < n; b++) {
            for (int t = 0; t < len; t++) {
                if (batch.attentionMask()[b][t] == 1) {
                    seq[(b * len + t) * hidden + batch.inputIds()[b][t]] = 1;
                }
            }
        }
        INDArray sequence = Nd4j.create(seq, new long[] {(long) n * len, hidden}, 'c');
        return new EncoderOutputs(batch, sequence, Nd4j.zeros(DataType.FLOAT, n, hidden));
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
