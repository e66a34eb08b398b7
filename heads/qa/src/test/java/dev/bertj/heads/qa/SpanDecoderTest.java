package dev.bertj.heads.qa;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Span scores as Hugging Face's question-answering pipeline defines them, on hand-computed windows. */
class SpanDecoderTest {

    // [CLS] q0 q1 [SEP] c0 c1 c2 [SEP]: question of 2 tokens, 3 context tokens starting at context token 10.
    private static final QaInput.Window WINDOW = new QaInput.Window(0, 2, 10, 13);
    private static final float LN3 = (float) Math.log(3);
    private static final float Q = 50; // question logits are huge but masked out of the softmax

    @Test
    void scoresAreProductsOfMaskedSoftmaxes() {
        // Over [CLS], c0, c1, c2 the start weights are e^0, e^ln3, e^0, e^0 = 1, 3, 1, 1 (sum 6);
        // the end weights 1, 1, 1, 3. Question and [SEP] positions are masked to -10000 and weigh nothing.
        float[] start = {0, Q, Q, Q, LN3, 0, 0, Q};
        float[] end = {0, Q, Q, Q, 0, 0, LN3, Q};
        SpanDecoder.WindowSpans r = SpanDecoder.decode(WINDOW, start, end, 3, 30);
        assertThat(r.nullScore()).isCloseTo(1.0 / 36, within(1e-7));
        List<SpanDecoder.Span> spans = r.spans();
        assertThat(spans).hasSize(3);
        // Best: c0..c2 = 3/6 * 3/6; then c0..c0 and c0..c1 = 3/6 * 1/6 (ties keep the first found), ...
        assertThat(spans.get(0).start()).isEqualTo(10);
        assertThat(spans.get(0).end()).isEqualTo(12);
        assertThat(spans.get(0).score()).isCloseTo(0.25, within(1e-7));
        assertThat(spans.get(1).score()).isCloseTo(1.0 / 12, within(1e-7));
        assertThat(spans.get(2).score()).isCloseTo(1.0 / 12, within(1e-7));
    }

    @Test
    void maxAnswerLenLimitsTheSpan() {
        float[] start = {0, Q, Q, Q, LN3, 0, 0, Q};
        float[] end = {0, Q, Q, Q, 0, 0, LN3, Q};
        // At most 2 tokens: c0..c2 is out; c1..c2 (1/6 * 3/6) ties with c0..c0 and c0..c1 (3/6 * 1/6).
        SpanDecoder.WindowSpans r = SpanDecoder.decode(WINDOW, start, end, 10, 2);
        assertThat(r.spans()).allMatch(s -> s.end() - s.start() <= 1);
        assertThat(r.spans().get(0).score()).isCloseTo(1.0 / 12, within(1e-7));
        // Every span inside the context of length <= 2: c0c0 c0c1 c1c1 c1c2 c2c2.
        assertThat(r.spans()).hasSize(5);
        assertThat(r.spans()).allMatch(s -> s.start() >= 10 && s.end() <= 12 && s.start() <= s.end());
    }

    @Test
    void noAnswerWinsWhenClsDominates() {
        OneHotModel model = new OneHotModel();
        QuestionAnsweringHead head = QaTestSupport.pointingAt(model, QaSettings.DEFAULT, "[CLS]", "[CLS]");
        String context = "the sky is blue.";
        QaResult plain = head.predict(QaRequest.of("what color ?", context));
        assertThat(plain.best().answer()).isNotEmpty();
        QaResult impossible = head.predict(new QaRequest("what color ?", context, null, null, true, null));
        assertThat(impossible.best().isNoAnswer()).isTrue();
        assertThat(impossible.best().start()).isZero();
        // p_start[CLS] = e^10 / (e^10 + 5): the null score is its square.
        double p = Math.exp(10) / (Math.exp(10) + 5);
        assertThat(impossible.best().score()).isCloseTo(p * p, within(1e-6));
        // A threshold above the null score's lead puts the best span first again.
        QaResult thresholded = head.predict(new QaRequest("what color ?", context, null, null, true, 1.0));
        assertThat(thresholded.best().isNoAnswer()).isFalse();
    }
}
