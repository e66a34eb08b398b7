package dev.bertj.heads.classification;

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
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A stand-in encoder for head tests: a fixed, deterministic function whose pooled output is the bag of words of
 * each segment (hidden size 2 x vocabulary: counts of segment-0 tokens, then of segment-1 tokens), so that a text
 * pair's two texts stay apart exactly when the token type ids do. Padding (attention mask 0) counts nothing.
 * It records the padded length of every batch it sees.
 *
 * <p>The real encoder (a tiny random BertModel, fine-tuned through its backward pass) is in {@link FineTuningTest}
 * and {@code RealEncoderTest}.
 */
final class BagOfWordsModel implements HeadContext {

    static final List<String> WORDS = List.of("the", "a", "is", "and", "good", "bad", "great", "awful", "movie",
            "film", "red", "green", "blue", "sky", "grass", "sea", "yes", "no", ".", ",", "!", "?");

    final Vocabulary vocabulary;
    final WordPieceTokenizer tokenizer;
    final BertConfig config;
    final List<Integer> batchLengths = new ArrayList<>();
    private final Rng rng = new Rng(11);
    private Path modelDir;

    BagOfWordsModel() {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        tokens.addAll(WORDS);
        for (int i = 0; i < 50; i++) {
            tokens.add("w" + i);
        }
        vocabulary = Vocabulary.of(tokens);
        tokenizer = WordPieceTokenizer.of(vocabulary, TokenizerOptions.uncased());
        config = BertConfig.of(tokens.size(), 2 * tokens.size(), 1, 1, 4).withDropout(0.0, 0.0);
    }

    BagOfWordsModel withModelDir(Path dir) {
        this.modelDir = dir;
        return this;
    }

    int id(String token) {
        return vocabulary.id(token);
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

    synchronized EncoderOutputs encode(EncoderBatch batch) {
        batchLengths.add(batch.seqLen());
        int n = batch.batchSize();
        int v = vocabulary.size();
        float[] pooled = new float[n * 2 * v];
        for (int b = 0; b < n; b++) {
            for (int t = 0; t < batch.seqLen(); t++) {
                if (batch.attentionMask()[b][t] == 1) {
                    pooled[b * 2 * v + batch.tokenTypeIds()[b][t] * v + batch.inputIds()[b][t]] += 1;
                }
            }
        }
        return new EncoderOutputs(batch, Nd4j.zeros(DataType.FLOAT, (long) n * batch.seqLen(), 2L * v),
                Nd4j.create(pooled, new long[] {n, 2L * v}, 'c'));
    }

    @Override
    public Optional<Parameter> encoderParameter(String name) {
        return Optional.empty();
    }

    @Override
    public Path modelDir() {
        return modelDir;
    }

    @Override
    public Rng rng() {
        return rng;
    }
}
