package dev.bertj.heads.qa;

import dev.bertj.core.head.EncoderOutputs;
import dev.bertj.core.head.EncoderVars;
import dev.bertj.core.head.HeadBatch;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadLoss;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The head's training path on a fixed stand-in encoder (one-hot token states): SQuAD reading, one feature per
 * window, the span loss on the tape, gradients, and evaluation after learning. Only {@code qa_outputs} learns here;
 * fine-tuning with the real encoder is {@link FineTuningTest}.
 */
class QaTrainingTest {

    private final OneHotModel model = new OneHotModel();

    private Path resource(Path dir) throws Exception {
        Path p = dir.resolve("tiny-squad.json");
        try (var in = getClass().getResourceAsStream("tiny-squad.json")) {
            Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return p;
    }

    @Test
    void readsSquadJsonAndMapsAnswersToTokens(@TempDir Path dir) throws Exception {
        List<SquadExample> questions = SquadReader.read(resource(dir));
        assertThat(questions).extracting(SquadExample::id).containsExactly("q-sky", "q-grass", "q-where", "q-bad", "q-none");
        assertThat(questions.get(4).impossible()).isTrue();

        QuestionAnsweringHead head = QuestionAnsweringHead.fresh(model, QaSettings.DEFAULT);
        List<QaFeature> features = head.readExamples(resource(dir), Map.of());
        assertThat(features).hasSize(5);
        QaFeature sky = features.get(0);
        int[] ids = sky.input().inputIds(sky.windowSpec(), model.vocabulary);
        for (QaFeature f : features) {
            assertThat(head.tokenLength(f, 512)).as("bucketing length = the window as encoded")
                    .isEqualTo(head.encode(List.of(f), 512).input().seqLen());
        }
        assertThat(ids[sky.startPosition()]).isEqualTo(model.id("blue"));
        assertThat(sky.endPosition()).isEqualTo(sky.startPosition());
        QaFeature where = features.get(2);
        int[] whereIds = where.input().inputIds(where.windowSpec(), model.vocabulary);
        assertThat(whereIds[where.startPosition()]).isEqualTo(model.id("cafe"));
        assertThat(whereIds[where.endPosition()]).isEqualTo(model.id("muller"));
        // "Zoe" is not at answer_start 5 (the context says "Zoë" at 0): no target, but the question stays.
        assertThat(features.get(3).startPosition()).isEqualTo(-1);
        // Unanswerable: [CLS].
        assertThat(features.get(4).startPosition()).isZero();
        assertThat(features.get(4).endPosition()).isZero();
    }

    @Test
    void badSquadFilesFailClearly(@TempDir Path dir) throws Exception {
        Path notSquad = dir.resolve("x.json");
        Files.writeString(notSquad, "{\"version\": 1}");
        assertThatThrownBy(() -> SquadReader.read(notSquad)).hasMessageContaining("\"data\"");
        Files.writeString(notSquad, "{\"data\": [{\"paragraphs\": [{\"qas\": []}]}]}");
        assertThatThrownBy(() -> SquadReader.read(notSquad)).hasMessageContaining("\"context\"");
        Files.writeString(notSquad, "{\"data\": [ not json");
        assertThatThrownBy(() -> SquadReader.read(notSquad)).hasMessageContaining("not valid JSON");
    }

    /** Questions about contexts of filler words with one color word as the answer, sometimes beyond window 0. */
    static Path colorData(Path dir, int questions, long seed) throws Exception {
        Rng rng = new Rng(seed);
        String[] colors = {"red", "green", "blue"};
        StringBuilder sb = new StringBuilder("{\"data\": [{\"title\": \"t\", \"paragraphs\": [");
        for (int i = 0; i < questions; i++) {
            int words = 5 + rng.nextInt(30);
            int at = rng.nextInt(words);
            List<String> ws = new ArrayList<>();
            for (int w = 0; w < words; w++) {
                ws.add("w" + rng.nextInt(200));
            }
            String color = colors[rng.nextInt(3)];
            ws.set(at, color);
            String context = String.join(" ", ws);
            int start = context.indexOf(" " + color + " ") + 1;
            if (at == 0) {
                start = 0;
            } else if (start == 0) {
                start = context.lastIndexOf(color);
            }
            sb.append(i == 0 ? "" : ",").append("{\"context\": \"").append(context).append("\", \"qas\": [{\"id\": \"q")
                    .append(i).append("\", \"question\": \"what color is it ?\", \"answers\": [{\"text\": \"")
                    .append(color).append("\", \"answer_start\": ").append(start).append("}]}]}");
        }
        sb.append("]}]}");
        Path p = dir.resolve("colors-" + seed + ".json");
        Files.writeString(p, sb.toString());
        return p;
    }

    private double step(QuestionAnsweringHead head, List<QaFeature> batch, double lr) {
        HeadBatch<QaFeature> hb = head.encode(batch, 24);
        EncoderOutputs out = model.encode(hb.input());
        Tape tape = Tape.training();
        Var sequence = tape.input(out.sequenceOutput());
        Var pooled = tape.input(out.pooledOutput());
        HeadLoss loss = head.loss(tape, new EncoderVars(hb.input(), sequence, pooled), hb);
        tape.backward(loss.loss());
        // The gradient reaches the encoder's outputs (where the encoder's backward pass would start).
        assertThat(sequence.grad()).isNotNull();
        assertThat(sequence.grad().amaxNumber().doubleValue()).isGreaterThan(0);
        for (Parameter p : head.parameters()) {
            p.value().subi(p.grad().mul(lr));
            p.grad().assign(0);
        }
        return loss.loss().value().getDouble(0);
    }

    @Test
    void learnsSpansAcrossWindowsAndScoresPerfectlyAfterwards(@TempDir Path dir) throws Exception {
        QaSettings settings = QaTestSupport.settings(24, 4, 8, 16);
        QuestionAnsweringHead head = QuestionAnsweringHead.fresh(model, settings);
        List<QaFeature> train = head.readExamples(colorData(dir, 60, 1), Map.of());
        assertThat(train.size()).as("long contexts make several windows").isGreaterThan(60);
        assertThat(train).anyMatch(f -> !f.hasAnswer());
        List<QaFeature> dev = head.readExamples(colorData(dir, 20, 2), Map.of());

        Map<String, Double> before = head.evaluate(dev);
        double first = 0;
        double last = 0;
        Rng order = new Rng(3);
        for (int epoch = 0; epoch < 15; epoch++) {
            List<QaFeature> shuffled = new ArrayList<>(train);
            order.shuffle(shuffled);
            for (int from = 0; from < shuffled.size(); from += 8) {
                double loss = step(head, shuffled.subList(from, Math.min(from + 8, shuffled.size())), 0.5);
                if (epoch == 0 && from == 0) {
                    first = loss;
                }
                last = loss;
            }
        }
        assertThat(last).isLessThan(first / 5);
        Map<String, Double> after = head.evaluate(dev);
        assertThat(after.get("exact_match")).isEqualTo(100.0);
        assertThat(after.get("f1")).isEqualTo(100.0);
        assertThat(after.get("questions")).isEqualTo(20.0);
        assertThat(before.get("exact_match")).isLessThan(100.0);

        // With progress: the same metrics, and the questions answered reported up to all of them.
        List<String> reports = new ArrayList<>();
        assertThat(head.evaluate(dev, (done, total, unit) -> reports.add(done + "/" + total + " " + unit)))
                .isEqualTo(after);
        assertThat(reports).isNotEmpty().last().isEqualTo("20/20 questions");

        // Predictions file in the official format, same numbers.
        Path predictions = dir.resolve("predictions.json");
        Map<String, Double> again = head.evaluate(dev, predictions);
        assertThat(again).isEqualTo(after);
        var written = new com.fasterxml.jackson.databind.ObjectMapper().readTree(predictions.toFile());
        assertThat(written.size()).isEqualTo(20);
        assertThat(written.get("q0").asText()).isIn("red", "green", "blue");

        // ./bert eval passes predictions=FILE with the data; evaluate(List) then writes them too.
        Path viaOption = dir.resolve("via-option.json");
        List<QaFeature> again2 = head.readExamples(colorData(dir, 20, 2), Map.of("predictions", viaOption.toString()));
        assertThat(head.evaluate(again2)).isEqualTo(after);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(viaOption.toFile())).isEqualTo(written);
    }

    @Test
    void paddingDoesNotChangeTheLoss() {
        QaSettings settings = QaTestSupport.settings(24, 4, 8, 16);
        QuestionAnsweringHead head = QaTestSupport.pointingAt(model, settings, "blue", "blue");
        SquadExample shortOne = new SquadExample("s", "what color ?", "w1 blue", List.of(new SquadExample.GoldAnswer("blue", 3)), false);
        SquadExample longOne = new SquadExample("l", "what color ?", "w1 w2 w3 w4 w5 w6 w7 w8 blue",
                List.of(new SquadExample.GoldAnswer("blue", 24)), false);
        List<QaFeature> alone = head.features(List.of(shortOne));
        List<QaFeature> both = head.features(List.of(shortOne, longOne));
        double lossAlone = lossOf(head, alone);
        double lossOfLong = lossOf(head, both.subList(1, 2));
        double lossPadded = lossOf(head, both);
        assertThat(lossPadded).isCloseTo((lossAlone + lossOfLong) / 2, within(1e-5));
    }

    private double lossOf(QuestionAnsweringHead head, List<QaFeature> features) {
        HeadBatch<QaFeature> hb = head.encode(features, 24);
        EncoderOutputs out = model.encode(hb.input());
        Tape tape = Tape.inference();
        return head.loss(tape, new EncoderVars(hb.input(), tape.constant(out.sequenceOutput()),
                tape.constant(out.pooledOutput())), hb).loss().value().getDouble(0);
    }

    @Test
    void encodeRejectsABatchLimitBelowTheWindows() {
        QuestionAnsweringHead head = QuestionAnsweringHead.fresh(model, QaSettings.DEFAULT);
        List<QaFeature> f = head.features(List.of(new SquadExample("s", "what color ?",
                String.join(" ", QaTestSupport.fillers(0, 150)), List.of(new SquadExample.GoldAnswer("w1", 3)), false)));
        assertThatThrownBy(() -> head.encode(f, 128)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_seq_len").hasMessageContaining("--max-length");
    }

    @Test
    void savedHeadLoadsThroughTheServiceLoaderAndAnswersTheSame(@TempDir Path dir) throws Exception {
        QaSettings settings = QaTestSupport.settings(24, 4, 8, 16);
        QuestionAnsweringHead head = QaTestSupport.pointingAt(model, settings, "cafe", "muller");
        head.save(dir.resolve("heads/qa"));
        HeadFactory factory = ServiceLoader.load(HeadFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.descriptor().id().equals("qa")).findFirst().orElseThrow();
        QuestionAnsweringHead loaded = (QuestionAnsweringHead) factory.load(model, dir.resolve("heads/qa"));
        assertThat(loaded.settings()).isEqualTo(settings);
        QaRequest r = QaRequest.of("where did zoe go?", "Zoë visited Café Müller in 東京.");
        assertThat(loaded.predict(r)).isEqualTo(head.predict(r));
        assertThat(factory.descriptor().requestType()).isEqualTo(QaRequest.class);
    }
}
