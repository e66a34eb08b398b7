package dev.bertj.heads.classification;

import dev.bertj.core.head.FineTuneOptions;
import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import dev.bertj.core.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classification head through the project's fine-tuning glue ({@link FineTuning}) on a tiny random encoder,
 * frozen: only {@code classifier} learns, from the pooled output. The fine-tuned directory then classifies through
 * a fresh {@link HeadHost}, as {@code ./bert classify} would.
 *
 * <p>TODO(lead): once EncoderBackprop is wired (issue 4), the pair and multi-label tasks of
 * {@link ClassificationHeadTest} through the unfrozen encoder (issue 7, acceptance 3).
 */
class FineTuningTest {

    @TempDir
    Path dir;

    private Path sentiment(String name, int n, long seed) throws Exception {
        Rng rng = new Rng(seed);
        String[] positive = {"good", "great"};
        String[] negative = {"bad", "awful"};
        StringBuilder sb = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < n; i++) {
            boolean pos = rng.nextBoolean();
            String word = pos ? positive[rng.nextInt(2)] : negative[rng.nextInt(2)];
            sb.append(word).append(" w").append(rng.nextInt(50)).append('\t').append(pos ? "pos" : "neg").append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb);
        return p;
    }

    @Test
    void frozenEncoderFineTuneWritesAModelThatClassifies() throws Exception {
        BagOfWordsModel vocab = new BagOfWordsModel();
        // A wide initialisation makes the random encoder a usable feature extractor: the pooled [CLS] state then
        // carries which words the text has (at BERT's 0.02 it is nearly the same for every text).
        BertConfig config = new BertConfig(vocab.vocabulary.size(), 64, 2, 2, 128, "gelu", 0.0, 0.0, 512, 2, 1e-12,
                0.2, 0, Map.of());
        BertModel model = BertModel.initialize(config, 5);
        HeadHost host = new HeadHost(model, vocab.tokenizer, null, List.of(new SequenceClassificationHeadFactory()), 5);
        Path train = sentiment("train.tsv", 200, 1);
        Path dev = sentiment("dev.tsv", 40, 2);
        Path out = dir.resolve("finetuned");
        FineTuneOptions o = new FineTuneOptions("classification", train, dev, out, 20, 0, 3e-2, 16, 1, 32, true, 0.1,
                0.0, 7, 0, 0, 0, 0, Map.of("class_weights", "balanced"));
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        TrainingResult result = FineTuning.run(host, o, new PrintStream(progress, true, StandardCharsets.UTF_8),
                List.of(), null);
        assertThat(result.status()).as(result.failure() + "\n" + progress).isEqualTo(TrainingResult.Status.COMPLETED);
        assertThat(result.lastEvaluation().get("accuracy")).as("%s", result.lastEvaluation()).isGreaterThan(0.9);
        model.close();

        try (BertModel reloaded = BertModel.load(out)) {
            HeadHost again = new HeadHost(reloaded, WordPieceTokenizer.load(out), out,
                    List.of(new SequenceClassificationHeadFactory()), 1);
            SequenceClassificationHead head = (SequenceClassificationHead) again.<ClassificationRequest, ClassificationAnswer>head("classification");
            assertThat(head.settings().labels()).containsExactly("neg", "pos");
            assertThat(head.settings().classWeights()).hasSize(2);
            assertThat(FineTuning.evaluate(again, "classification", dev, Map.of(), 0))
                    .isEqualTo(result.lastEvaluation());
        }
    }
}
