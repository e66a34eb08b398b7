package dev.bertj.heads.qa;

import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The qa head on the real encoder (a tiny random BertModel through HeadHost): windows of different lengths batched
 * together and padded must answer exactly as each question alone, and every answer maps onto its context.
 * Fine-tuning through the encoder's backward pass is {@link FineTuningTest}.
 */
class RealEncoderTest {

    private static BertModel model;
    private static HeadHost host;
    private static QuestionAnsweringHead head;

    @BeforeAll
    static void tinyModel() {
        OneHotModel vocab = new OneHotModel();
        model = BertModel.initialize(BertConfig.of(vocab.vocabulary.size(), 32, 2, 2, 64), 1);
        host = new HeadHost(model, vocab.tokenizer, null, List.of(new QuestionAnsweringHeadFactory()), 3);
        head = (QuestionAnsweringHead) host.freshHead("qa", Map.of("max_seq_len", "32", "doc_stride", "8",
                "max_query_len", "8", "predict_batch_size", "3"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void batchedWindowsAnswerAsEachQuestionAlone() {
        List<QaRequest> requests = List.of(
                QaRequest.of("what color is the sky ?", String.join(" ", QaTestSupport.fillers(0, 70))).withTopK(3),
                QaRequest.of("who ?", "Zoë visited Café Müller in 東京 yesterday.").withTopK(3),
                QaRequest.of("where did zoe go ?", String.join(" ", QaTestSupport.fillers(100, 130))).withTopK(3));
        List<QaResult> together = head.predictBatch(requests);
        for (int i = 0; i < requests.size(); i++) {
            QaResult alone = head.predict(requests.get(i));
            assertThat(together.get(i).answers()).hasSize(3);
            for (int k = 0; k < 3; k++) {
                QaAnswer a = together.get(i).answers().get(k);
                QaAnswer b = alone.answers().get(k);
                assertThat(a.answer()).isEqualTo(b.answer());
                assertThat(a.score()).isCloseTo(b.score(), within(1e-5));
                assertThat(requests.get(i).context().substring(a.start(), a.end())).isEqualTo(a.answer());
                assertThat(a.score()).isBetween(0.0, 1.0);
            }
        }
    }
}
