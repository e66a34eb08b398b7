package dev.bertj.heads.qa;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.Truncation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.bertj.heads.qa.QaTestSupport.fillers;
import static dev.bertj.heads.qa.QaTestSupport.pointingAt;
import static dev.bertj.heads.qa.QaTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Windows over long contexts, and answers mapped back to character offsets of the original context. */
class QaWindowingTest {

    private final OneHotModel model = new OneHotModel();

    // A decomposed ü (u + U+0308), a precomposed ë and é, two CJK characters and an emoji (a surrogate pair, [UNK]).
    private static final String CONTEXT = "Zoë visited Café Mu\u0308ller in 東京 \uD83D\uDE00 yesterday.";

    private QaAnswer answer(String start, String end, String context) {
        QuestionAnsweringHead head = pointingAt(model, QaSettings.DEFAULT, start, end);
        QaAnswer a = head.predict(QaRequest.of("where did zoe go?", context)).best();
        assertThat(context.substring(a.start(), a.end())).isEqualTo(a.answer());
        return a;
    }

    @Test
    void accentedAnswerMapsToTheOriginalCharacters() {
        QaAnswer a = answer("cafe", "muller", CONTEXT);
        assertThat(a.answer()).isEqualTo("Café Mu\u0308ller");
        assertThat(a.start()).isEqualTo(CONTEXT.indexOf("Café"));
        assertThat(a.end()).isEqualTo(CONTEXT.indexOf("ller") + 4);
    }

    @Test
    void cjkCharactersAreTokensOfTheirOwn() {
        assertThat(answer("東", "京", CONTEXT).answer()).isEqualTo("東京");
        QaAnswer second = answer("京", "京", CONTEXT);
        assertThat(second.answer()).isEqualTo("京");
        assertThat(second.start()).isEqualTo(CONTEXT.indexOf('京'));
    }

    @Test
    void emojiAnswerCoversTheWholeSurrogatePair() {
        QaAnswer a = answer("[UNK]", "[UNK]", CONTEXT);
        assertThat(a.answer()).isEqualTo("\uD83D\uDE00");
        assertThat(a.end() - a.start()).isEqualTo(2);
        assertThat(answer("京", "yesterday", CONTEXT).answer()).isEqualTo("京 \uD83D\uDE00 yesterday");
    }

    @Test
    void answersCoverWholeWords() {
        String context = "Zoe was running to the city.";
        QaAnswer a = answer("##ning", "##ning", context);
        assertThat(a.answer()).isEqualTo("running");
        assertThat(a.start()).isEqualTo(context.indexOf("running"));
    }

    @Test
    void spansCoveringTheSameWordsAreOneAnswer() {
        // "run" + "##ning": the spans [run], [##ning] and [run ##ning] all answer "running".
        String context = "Zoe was running to the city.";
        QuestionAnsweringHead head = pointingAt(model, QaSettings.DEFAULT, "##ning", "##ning");
        QaResult r = head.predict(QaRequest.of("where?", context).withTopK(3));
        assertThat(r.answers()).hasSize(3);
        assertThat(r.answers()).extracting(QaAnswer::answer).doesNotHaveDuplicates().first().isEqualTo("running");
    }

    @Test
    void windowsAreTheTokenizersOverflowWindows() {
        // 3 question tokens, 40 context tokens, windows of 20: 14 context tokens each, 3 shared, so 4 windows.
        String question = "what color ?";
        String context = String.join(" ", fillers(0, 40));
        WindowSettings s = new WindowSettings(20, 3, 5, 100);
        QaInput in = QaInput.of(model.tokenizer, question, context, s);
        assertThat(in.windows).extracting(QaInput.Window::contextFrom).containsExactly(0, 11, 22, 33);
        assertThat(in.windows).extracting(QaInput.Window::contextTo).containsExactly(14, 25, 36, 40);

        Encoding enc = model.tokenizer.encode(question, context, new EncodeOptions(20, Truncation.ONLY_SECOND, 3, false, true));
        List<Encoding> expected = new ArrayList<>();
        expected.add(enc);
        expected.addAll(enc.overflowing());
        assertThat(in.windows).hasSize(expected.size());
        for (int w = 0; w < expected.size(); w++) {
            assertThat(in.inputIds(in.windows.get(w), model.vocabulary)).as("window %d ids", w)
                    .containsExactly(expected.get(w).ids());
            assertThat(in.typeIds(in.windows.get(w))).as("window %d types", w).containsExactly(expected.get(w).typeIds());
        }
    }

    @Test
    void oneWindowWhenTheContextFits() {
        QaInput in = QaInput.of(model.tokenizer, "what color ?", String.join(" ", fillers(0, 14)),
                new WindowSettings(20, 3, 5, 100));
        assertThat(in.windows).hasSize(1);
        assertThat(in.windows.get(0).length()).isEqualTo(20);
        assertThat(in.windowsNeeded).isEqualTo(1);
    }

    /** Context w0..w39 with "alpha omega" at tokens {@code at}, {@code at + 1}. */
    private static String contextWithAnswerAt(int at) {
        List<String> words = fillers(0, 40);
        words.set(at, "alpha");
        words.set(at + 1, "omega");
        return String.join(" ", words);
    }

    private SquadExample example(String context) {
        return new SquadExample("q1", "what color ?", context,
                List.of(new SquadExample.GoldAnswer("alpha omega", context.indexOf("alpha"))), false);
    }

    @Test
    void answerCrossingAWindowBoundaryIsLearnedFromTheWindowThatHoldsIt() {
        // Window 0 holds context tokens [0, 14): alpha (13) but not omega (14). Window 1 [11, 25) holds both.
        String context = contextWithAnswerAt(13);
        QaSettings s = settings(20, 3, 5, 100);
        QuestionAnsweringHead head = pointingAt(model, s, "alpha", "omega");
        List<QaFeature> features = head.features(List.of(example(context)));
        assertThat(features).hasSize(4);
        assertThat(features.get(0).startPosition()).isZero();
        assertThat(features.get(0).endPosition()).isZero();
        QaFeature f1 = features.get(1);
        assertThat(f1.startPosition()).isEqualTo(13 - 11 + 5);
        assertThat(f1.endPosition()).isEqualTo(14 - 11 + 5);
        int[] ids = f1.input().inputIds(f1.windowSpec(), model.vocabulary);
        assertThat(ids[f1.startPosition()]).isEqualTo(model.id("alpha"));
        assertThat(ids[f1.endPosition()]).isEqualTo(model.id("omega"));
        assertThat(features.subList(2, 4)).allMatch(f -> !f.hasAnswer());

        QaAnswer a = head.predict(QaRequest.of("what color ?", context)).best();
        assertThat(a.answer()).isEqualTo("alpha omega");
        assertThat(a.start()).isEqualTo(context.indexOf("alpha"));
        assertThat(a.end()).isEqualTo(context.indexOf("omega") + 5);
    }

    @Test
    void answerInTheLastOfFourWindows() {
        String context = contextWithAnswerAt(37);
        QaSettings s = settings(20, 3, 5, 100);
        QuestionAnsweringHead head = pointingAt(model, s, "alpha", "omega");
        List<QaFeature> features = head.features(List.of(example(context)));
        assertThat(features).hasSize(4);
        assertThat(features.subList(0, 3)).allMatch(f -> f.startPosition() == 0 && f.endPosition() == 0);
        assertThat(features.get(3).startPosition()).isEqualTo(37 - 33 + 5);
        int before = model.windowsEncoded.get();
        QaAnswer a = head.predict(QaRequest.of("what color ?", context)).best();
        assertThat(model.windowsEncoded.get() - before).isEqualTo(4);
        assertThat(a.answer()).isEqualTo("alpha omega");
        assertThat(a.start()).isEqualTo(context.indexOf("alpha"));
    }

    @Test
    void longQuestionIsCutToMaxQueryLen() {
        String question = "what is the color of the sky and the grass in the city ?";
        QaInput in = QaInput.of(model.tokenizer, question, String.join(" ", fillers(0, 40)), new WindowSettings(20, 3, 5, 100));
        assertThat(in.questionTruncated).isTrue();
        assertThat(in.questionIds).hasSize(5);
        int[] ids = in.inputIds(in.windows.get(0), model.vocabulary);
        assertThat(ids).hasSize(20);
        assertThat(ids[1]).isEqualTo(model.id("what"));
        assertThat(ids[6]).isEqualTo(model.vocabulary.sepId());
        // Windows still advance: 12 context tokens each, 3 shared.
        assertThat(in.windows).extracting(QaInput.Window::contextFrom).startsWith(0, 9, 18);
    }

    @Test
    void maxWindowsBoundsTheWorkOnAMegabyteContext() {
        StringBuilder sb = new StringBuilder(1 << 20);
        int i = 0;
        while (sb.length() < (1 << 20)) {
            sb.append('w').append(i++ % 200).append(' ');
        }
        String context = sb.toString();
        QuestionAnsweringHead head = pointingAt(model, settings(384, 128, 64, 3), "alpha", "omega");
        int before = model.windowsEncoded.get();
        long t0 = System.nanoTime();
        QaResult r = head.predict(QaRequest.of("what color ?", context));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(model.windowsEncoded.get() - before).isEqualTo(3);
        assertThat(r.best().end()).isLessThan(context.length() / 10);
        assertThat(ms).as("1 MB context, 3 windows, ms").isLessThan(20_000);

        QaInput in = QaInput.of(model.tokenizer, "what color ?", context, WindowSettings.DEFAULT);
        assertThat(in.windows).hasSize(WindowSettings.DEFAULT_MAX_WINDOWS);
        // About 240,000 context tokens at 250 new tokens per window.
        assertThat(in.windowsNeeded).isGreaterThan(900);
    }

    @Test
    void emptyOrBlankInputsAreRejectedClearly() {
        QuestionAnsweringHead head = QuestionAnsweringHead.fresh(model, QaSettings.DEFAULT);
        assertThatThrownBy(() -> QaRequest.of("", "some context")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("question");
        assertThatThrownBy(() -> QaRequest.of("who?", "  \n ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("context");
        assertThatThrownBy(() -> head.predict(QaRequest.of("\u0000\u0001", "w1 w2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("question has no tokens");
        assertThatThrownBy(() -> head.predict(QaRequest.of("who?", "\u0000\u0007")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context has no tokens");
        assertThatThrownBy(() -> new QaRequest("who?", "w1", 0, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_k");
    }

    @Test
    void settingsThatLeaveNoRoomForTheContextAreRejected() {
        assertThatThrownBy(() -> new WindowSettings(64, 128, 64, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_seq_len 64").hasMessageContaining("doc_stride 128");
        assertThatThrownBy(() -> QuestionAnsweringHead.fresh(model, settings(1024, 128, 64, 8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512 positions");
    }

    @Test
    void topKGivesDistinctAnswersBestFirstAndTheHfShape() throws Exception {
        QuestionAnsweringHead head = pointingAt(model, QaSettings.DEFAULT, "cafe", "muller");
        QaResult r = head.predict(QaRequest.of("where did zoe go?", CONTEXT).withTopK(5));
        assertThat(r.answers()).hasSize(5);
        for (int i = 1; i < 5; i++) {
            assertThat(r.answers().get(i).score()).isLessThanOrEqualTo(r.answers().get(i - 1).score());
        }
        assertThat(r.answers()).extracting(a -> a.start() + ":" + a.end()).doesNotHaveDuplicates();
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(json.writeValueAsString(r)).isArray()).isTrue();
        var single = json.readTree(json.writeValueAsString(head.predict(QaRequest.of("where?", CONTEXT))));
        assertThat(single.isObject()).isTrue();
        assertThat(single.fieldNames()).toIterable().containsExactly("score", "start", "end", "answer");
    }

    @Test
    void requestsAreReadFromHfJson() throws Exception {
        QaRequest r = new ObjectMapper().readValue(
                "{\"question\":\"q?\",\"context\":\"c\",\"top_k\":3,\"handle_impossible_answer\":true}", QaRequest.class);
        assertThat(r.topK()).isEqualTo(3);
        assertThat(r.handleImpossibleAnswer()).isTrue();
        assertThat(r.maxAnswerLen()).isNull();
    }
}
