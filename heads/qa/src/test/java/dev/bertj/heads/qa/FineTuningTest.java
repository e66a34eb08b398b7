package dev.bertj.heads.qa;

import dev.bertj.core.head.FineTuneOptions;
import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
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
 * The qa head through the project's fine-tuning glue ({@link FineTuning}: data source, training task, AdamW,
 * model directory) on a tiny random encoder, frozen: only {@code qa_outputs} learns, from the encoder's token
 * states. The fine-tuned directory then answers through a fresh {@link HeadHost}, as {@code ./bert qa} would.
 *
 * <p>Then the whole path as in the BERT paper: the same task with the encoder fine-tuned through its backward pass.
 */
class FineTuningTest {

    @TempDir
    Path dir;

    @Test
    void frozenEncoderFineTuneWritesAModelThatAnswers() throws Exception {
        OneHotModel vocab = new OneHotModel();
        BertModel model = BertModel.initialize(BertConfig.of(vocab.vocabulary.size(), 64, 2, 2, 128), 5);
        HeadHost host = new HeadHost(model, vocab.tokenizer, null, List.of(new QuestionAnsweringHeadFactory()), 5);
        Path train = QaTrainingTest.colorData(dir, 120, 1);
        Path dev = QaTrainingTest.colorData(dir, 30, 2);
        Map<String, String> options = Map.of("max_seq_len", "32", "doc_stride", "8", "max_query_len", "8");
        Path out = dir.resolve("finetuned");
        FineTuneOptions o = new FineTuneOptions("qa", train, dev, out, 6, 0, 1e-2, 16, 1, 32, true, 0.1, 0.0, 7,
                0, 0, 0, 0, options);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        TrainingResult result = FineTuning.run(host, o, new PrintStream(progress, true, StandardCharsets.UTF_8),
                List.of(), null);
        assertThat(result.status()).as(result.failure() + "\n" + progress).isEqualTo(TrainingResult.Status.COMPLETED);
        assertThat(result.lastEvaluation().get("exact_match")).as("%s", result.lastEvaluation()).isGreaterThan(90.0);
        assertThat(Files.isRegularFile(out.resolve("heads/qa/head.json"))).isTrue();
        model.close();

        // The model directory alone answers, with the head's saved windowing.
        try (BertModel reloaded = BertModel.load(out)) {
            HeadHost again = new HeadHost(reloaded, WordPieceTokenizer.load(out), out,
                    List.of(new QuestionAnsweringHeadFactory()), 1);
            QuestionAnsweringHead head = (QuestionAnsweringHead) again.<QaRequest, QaResult>head("qa");
            assertThat(head.settings().windows().maxSeqLen()).isEqualTo(32);
            assertThat(FineTuning.evaluate(again, "qa", dev, Map.of(), 0).get("exact_match"))
                    .isEqualTo(result.lastEvaluation().get("exact_match"));
            // predict (what ./bert qa calls) agrees with the evaluation, and its offsets point into the context.
            List<SquadExample> questions = SquadReader.read(dev);
            Map<String, String> predicted = new java.util.LinkedHashMap<>();
            for (SquadExample q : questions) {
                QaAnswer a = head.predict(QaRequest.of(q.question(), q.context())).best();
                assertThat(q.context().substring(a.start(), a.end())).isEqualTo(a.answer());
                predicted.put(q.id(), a.answer());
            }
            assertThat(SquadMetric.score(questions, predicted).get("exact_match"))
                    .isEqualTo(result.lastEvaluation().get("exact_match"));
        }
    }

    @Test
    void fineTunesTheEncoderWithTheSpanHead() throws Exception {
        OneHotModel vocab = new OneHotModel();
        try (BertModel model = BertModel.initialize(BertConfig.of(vocab.vocabulary.size(), 64, 2, 2, 128), 6)) {
            HeadHost host = new HeadHost(model, vocab.tokenizer, null, List.of(new QuestionAnsweringHeadFactory()), 6);
            Path train = QaTrainingTest.colorData(dir, 120, 3);
            Path dev = QaTrainingTest.colorData(dir, 30, 4);
            FineTuneOptions o = new FineTuneOptions("qa", train, dev, dir.resolve("unfrozen"), 6, 0, 2e-3, 16, 1, 32,
                    false, 0.1, 0.01, 7, 0, 0, 0, 0, Map.of("max_seq_len", "32", "doc_stride", "8", "max_query_len", "8"));
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            TrainingResult result = FineTuning.run(host, o, new PrintStream(progress, true, StandardCharsets.UTF_8),
                    List.of(), null);
            assertThat(result.status()).as(result.failure() + "\n" + progress).isEqualTo(TrainingResult.Status.COMPLETED);
            assertThat(result.lastEvaluation().get("exact_match")).as("%s", result.lastEvaluation()).isGreaterThan(90.0);
        }
    }
}
