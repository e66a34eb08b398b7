package dev.bertj.heads.classification;

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
 * The classification head on the real encoder (a tiny random BertModel through HeadHost): dynamic padding, fixed
 * padding and one text at a time give the same probabilities. Fine-tuning through the encoder's backward pass is
 * {@link FineTuningTest}.
 */
class RealEncoderTest {

    private static BertModel model;
    private static SequenceClassificationHead head;

    @BeforeAll
    static void tinyModel() {
        BagOfWordsModel vocab = new BagOfWordsModel();
        model = BertModel.initialize(BertConfig.of(vocab.vocabulary.size(), 32, 2, 2, 64), 1);
        HeadHost host = new HeadHost(model, vocab.tokenizer, null, List.of(new SequenceClassificationHeadFactory()), 3);
        head = (SequenceClassificationHead) host.freshHead("classification", Map.of("labels", "neg,neutral,pos",
                "predict_batch_size", "2"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void paddingDoesNotChangeTheAnswer() {
        List<ClassificationRequest> requests = List.of(ClassificationRequest.of("good").withTopK(3),
                ClassificationRequest.pair("the film is great", "the sea is blue and the sky is red").withTopK(3),
                ClassificationRequest.of("awful awful movie !").withTopK(3));
        List<ClassificationAnswer> dynamic = head.predictBatch(requests);
        List<ClassificationAnswer> fixed = head.predictBatch(requests, 32);
        for (int i = 0; i < requests.size(); i++) {
            ClassificationAnswer alone = head.predict(requests.get(i));
            double sum = 0;
            for (int k = 0; k < 3; k++) {
                LabelScore d = dynamic.get(i).labels().get(k);
                assertThat(d.label()).isEqualTo(alone.labels().get(k).label());
                assertThat(d.score()).isCloseTo(alone.labels().get(k).score(), within(1e-5));
                assertThat(fixed.get(i).labels().get(k).score()).isCloseTo(d.score(), within(1e-5));
                sum += d.score();
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
    }
}
