package dev.bertj.heads.qa;

import java.util.ArrayList;
import java.util.List;

/** Shared helpers of the qa head tests. */
final class QaTestSupport {

    private QaTestSupport() {
    }

    /** A head whose start logit is {@code strength} on token {@code start} and whose end logit is on {@code end}. */
    static QuestionAnsweringHead pointingAt(OneHotModel model, QaSettings settings, String start, String end) {
        QuestionAnsweringHead head = QuestionAnsweringHead.fresh(model, settings);
        pointAt(model, head, start, end, 10);
        return head;
    }

    static void pointAt(OneHotModel model, QuestionAnsweringHead head, String start, String end, float strength) {
        var weight = head.parameters().get(0).value();
        var bias = head.parameters().get(1).value();
        weight.assign(0);
        bias.assign(0);
        weight.putScalar(0, model.id(start), strength);
        weight.putScalar(1, model.id(end), strength);
    }

    /** {@code w<from> ... w<to-1>} separated by single spaces. */
    static List<String> fillers(int from, int to) {
        List<String> words = new ArrayList<>();
        for (int i = from; i < to; i++) {
            words.add("w" + i);
        }
        return words;
    }

    static QaSettings settings(int maxSeqLen, int docStride, int maxQueryLen, int maxWindows) {
        return new QaSettings(new WindowSettings(maxSeqLen, docStride, maxQueryLen, maxWindows),
                QaSettings.DEFAULT_MAX_ANSWER_LEN, false, 0.0, 4);
    }
}
