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
 * <p>Then the whole path as in the BERT paper (issue 7, acceptance 3): a tiny random encoder fine-tuned with the
 * head, through the encoder's backward pass, until a synthetic pair task and a multi-label task are learned.
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

    private FineTuneOptions unfrozen(Path train, Path dev, Path out, int epochs, Map<String, String> options) {
        return new FineTuneOptions("classification", train, dev, out, epochs, 0, 2e-3, 16, 1, 32, false, 0.1, 0.01, 9,
                0, 0, 0, 0, options);
    }

    private static TrainingResult run(HeadHost host, FineTuneOptions o) throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        TrainingResult result = FineTuning.run(host, o, new PrintStream(progress, true, StandardCharsets.UTF_8),
                List.of(), null);
        assertThat(result.status()).as(result.failure() + "\n" + progress).isEqualTo(TrainingResult.Status.COMPLETED);
        return result;
    }

    /** The label is the color named in the second text; the first names a random color to mislead. */
    private Path pairs(String name, int n, long seed) throws Exception {
        Rng rng = new Rng(seed);
        String[] colors = {"red", "green", "blue"};
        StringBuilder sb = new StringBuilder("sentence1\tsentence2\tlabel\n");
        for (int i = 0; i < n; i++) {
            String first = colors[rng.nextInt(3)];
            String second = colors[rng.nextInt(3)];
            sb.append("the sky is ").append(first).append(" w").append(rng.nextInt(50)).append('\t')
                    .append("the sea is ").append(second).append('\t').append(second).append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb);
        return p;
    }

    @Test
    void fineTunesTheEncoderOnAPairTaskUntilLearned() throws Exception {
        BagOfWordsModel vocab = new BagOfWordsModel();
        try (BertModel model = BertModel.initialize(BertConfig.of(vocab.vocabulary.size(), 64, 2, 2, 128), 3)) {
            HeadHost host = new HeadHost(model, vocab.tokenizer, null, List.of(new SequenceClassificationHeadFactory()), 3);
            TrainingResult r = run(host, unfrozen(pairs("pairs-train.tsv", 300, 1), pairs("pairs-dev.tsv", 60, 2),
                    dir.resolve("pairs"), 8, Map.of()));
            assertThat(r.lastEvaluation().get("accuracy")).as("%s", r.lastEvaluation()).isGreaterThan(0.95);
        }
    }

    /** The labels are the colors the text names (any subset, the empty one included). */
    private Path colorSets(String name, int n, long seed) throws Exception {
        Rng rng = new Rng(seed);
        String[] colors = {"red", "green", "blue"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            StringBuilder text = new StringBuilder("the w" + rng.nextInt(50));
            List<String> labels = new java.util.ArrayList<>();
            for (String c : colors) {
                if (rng.nextBoolean()) {
                    labels.add('"' + c + '"');
                    text.append(' ').append(c);
                }
            }
            sb.append("{\"text\": \"").append(text).append("\", \"labels\": [").append(String.join(", ", labels))
                    .append("]}\n");
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb);
        return p;
    }

    @Test
    void fineTunesTheEncoderOnMultiLabelUntilLearned() throws Exception {
        BagOfWordsModel vocab = new BagOfWordsModel();
        try (BertModel model = BertModel.initialize(BertConfig.of(vocab.vocabulary.size(), 64, 2, 2, 128), 4)) {
            HeadHost host = new HeadHost(model, vocab.tokenizer, null, List.of(new SequenceClassificationHeadFactory()), 4);
            TrainingResult r = run(host, unfrozen(colorSets("multi-train.jsonl", 300, 1), colorSets("multi-dev.jsonl", 60, 2),
                    dir.resolve("multi"), 8, Map.of("problem_type", "multi_label_classification", "label_column", "labels",
                            "labels", "red,green,blue")));
            assertThat(r.lastEvaluation().get("accuracy")).as("%s", r.lastEvaluation()).isGreaterThan(0.9);
            assertThat(r.lastEvaluation().get("macro_f1")).as("%s", r.lastEvaluation()).isGreaterThan(0.95);
        }
    }
}
