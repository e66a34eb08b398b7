package dev.bertj.heads.classification;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.head.EncoderOutputs;
import dev.bertj.core.head.EncoderVars;
import dev.bertj.core.head.HeadBatch;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.HeadLoss;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.SafetensorsWriter;
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
 * The classification head on a fixed stand-in encoder (bag of words per segment, {@link BagOfWordsModel}): only
 * {@code classifier} learns here, which proves the head's half of the path (reading, batching, loss, gradients,
 * decoding, metrics) end to end, single texts and pairs, multi-class and multi-label.
 */
class ClassificationHeadTest {

    private final BagOfWordsModel model = new BagOfWordsModel();
    @TempDir
    Path dir;

    private SequenceClassificationHead head(Map<String, String> options) {
        return SequenceClassificationHead.fresh(model, options);
    }

    /** Sets the classifier so that label j's logit is {@code weight} times the count of word {@code words[j]}. */
    private void wordsToLabels(SequenceClassificationHead head, String... words) {
        var w = head.parameters().get(0).value();
        w.assign(0);
        head.parameters().get(1).value().assign(0);
        for (int j = 0; j < words.length; j++) {
            w.putScalar(j, model.id(words[j]), 3.0);
        }
    }

    private double step(SequenceClassificationHead head, List<ClassificationExample> batch, double lr) {
        HeadBatch<ClassificationExample> hb = head.encode(batch, 64);
        EncoderOutputs out = model.encode(hb.input());
        Tape tape = Tape.training();
        Var pooled = tape.input(out.pooledOutput());
        HeadLoss loss = head.loss(tape, new EncoderVars(hb.input(), tape.input(out.sequenceOutput()), pooled), hb);
        tape.backward(loss.loss());
        assertThat(pooled.grad()).as("gradient into the encoder's pooled output").isNotNull();
        for (Parameter p : head.parameters()) {
            p.value().subi(p.grad().mul(lr));
            p.grad().assign(0);
        }
        return loss.loss().value().getDouble(0);
    }

    private void train(SequenceClassificationHead head, List<ClassificationExample> data, int epochs, double lr) {
        Rng rng = new Rng(5);
        for (int e = 0; e < epochs; e++) {
            List<ClassificationExample> shuffled = new ArrayList<>(data);
            rng.shuffle(shuffled);
            for (int from = 0; from < shuffled.size(); from += 16) {
                step(head, shuffled.subList(from, Math.min(from + 16, shuffled.size())), lr);
            }
        }
    }

    @Test
    void topKIsSortedByScoreInTheHfShape() throws Exception {
        SequenceClassificationHead head = head(Map.of("labels", "neg,pos,neutral"));
        wordsToLabels(head, "bad", "good", "film");
        ClassificationAnswer one = head.predict(ClassificationRequest.of("good good film"));
        assertThat(one.labels()).hasSize(1);
        assertThat(one.best()).isEqualTo("pos");
        // logits 0, 6, 3: softmax.
        double z = 1 + Math.exp(6) + Math.exp(3);
        assertThat(one.labels().get(0).score()).isCloseTo(Math.exp(6) / z, within(1e-6));
        ClassificationAnswer all = head.predict(ClassificationRequest.of("good good film").withTopK(3));
        assertThat(all.labels()).extracting(LabelScore::label).containsExactly("pos", "neutral", "neg");
        double[] expected = {Math.exp(6) / z, Math.exp(3) / z, 1 / z};
        for (int i = 0; i < 3; i++) {
            assertThat(all.labels().get(i).score()).isCloseTo(expected[i], within(1e-6));
        }
        assertThat(head.predict(ClassificationRequest.of("x").withTopK(10)).labels()).hasSize(3);
        String json = new ObjectMapper().writeValueAsString(all);
        assertThat(json).startsWith("[{\"label\":\"pos\",\"score\":");
        ClassificationRequest r = new ObjectMapper().readValue("{\"text\":\"a\",\"text_pair\":\"b\",\"top_k\":2}",
                ClassificationRequest.class);
        assertThat(r).isEqualTo(new ClassificationRequest("a", "b", 2));
    }

    @Test
    void multiLabelThresholdsDecidePerLabel() {
        SequenceClassificationHead head = head(Map.of("labels", "red,sky,sea", "problem_type", "multi_label_classification",
                "thresholds", "red:0.9,sky:0.99"));
        wordsToLabels(head, "red", "sky", "sea");
        // "red sky": logits 3, 3, 0 -> sigmoid 0.9526, 0.9526, 0.5: red >= 0.9 yes, sky >= 0.99 no, sea >= 0.5 yes.
        ClassificationAnswer a = head.predict(ClassificationRequest.of("red sky"));
        assertThat(a.labels()).extracting(LabelScore::label).containsExactly("red", "sea");
        assertThat(a.labels().get(0).score()).isCloseTo(1 / (1 + Math.exp(-3)), within(1e-6));
        assertThat(a.labels().get(1).score()).isCloseTo(0.5, within(1e-6));
        // top_k ignores thresholds and gives the k best.
        assertThat(head.predict(ClassificationRequest.of("red sky").withTopK(2)).labels()).extracting(LabelScore::label)
                .containsExactly("red", "sky");
        assertThat(head.settings().thresholds()).containsExactly(0.9, 0.99, 0.5);
    }

    @Test
    void dynamicPaddingPadsToTheLongestOfTheBatch() {
        SequenceClassificationHead head = head(Map.of("labels", "neg,pos"));
        HeadBatch<ClassificationExample> b = head.encode(List.of(ClassificationExample.of("good", "pos"),
                ClassificationExample.of("the film is good and great", "pos")), 128);
        // [CLS] the film is good and great [SEP]
        assertThat(b.input().seqLen()).isEqualTo(8);
        assertThat(b.input().attentionMask()[0]).containsExactly(1, 1, 1, 0, 0, 0, 0, 0);
        model.batchLengths.clear();
        List<ClassificationRequest> requests = List.of(ClassificationRequest.of("good"),
                ClassificationRequest.of("the film is good and great"), ClassificationRequest.of("bad"));
        List<ClassificationAnswer> dynamic = head.predictBatch(requests);
        assertThat(model.batchLengths).containsExactly(8);
        List<ClassificationAnswer> fixed = head.predictBatch(requests, 128);
        assertThat(model.batchLengths).containsExactly(8, 128);
        for (int i = 0; i < requests.size(); i++) {
            assertThat(fixed.get(i).labels().get(0).score()).isCloseTo(dynamic.get(i).labels().get(0).score(), within(1e-6));
        }
    }

    @Test
    void predictBatchKeepsTheInputOrderAcrossLengthSortedBatches() {
        SequenceClassificationHead head = SequenceClassificationHead.fresh(model,
                Map.of("labels", "neg,pos", "predict_batch_size", "2"));
        wordsToLabels(head, "bad", "good");
        List<ClassificationRequest> requests = List.of(ClassificationRequest.of("good"),
                ClassificationRequest.of("the film is bad and awful"), ClassificationRequest.of("good film"),
                ClassificationRequest.of("bad"), ClassificationRequest.of("a good good good movie"));
        model.batchLengths.clear();
        assertThat(head.predictBatch(requests)).extracting(ClassificationAnswer::best)
                .containsExactly("pos", "neg", "pos", "neg", "pos");
        // Longest first in batches of two: lengths 8 and 7 together, then 4 and 3, then 3.
        assertThat(model.batchLengths).containsExactly(8, 4, 3);
    }

    @Test
    void classWeightsWeighTheLossAsPyTorchDoes() {
        SequenceClassificationHead plain = head(Map.of("labels", "neg,pos"));
        wordsToLabels(plain, "bad", "good");
        ClassificationExample neg = ClassificationExample.of("good", "neg");
        ClassificationExample pos = ClassificationExample.of("bad bad", "pos");
        double lNeg = loss(plain, List.of(neg));
        double lPos = loss(plain, List.of(pos));
        assertThat(loss(plain, List.of(neg, pos))).isCloseTo((lNeg + lPos) / 2, within(1e-5));
        SequenceClassificationHead weighted = head(Map.of("labels", "neg,pos", "class_weights", "neg:1,pos:3"));
        wordsToLabels(weighted, "bad", "good");
        assertThat(loss(weighted, List.of(neg, pos))).isCloseTo((lNeg + 3 * lPos) / 4, within(1e-5));
    }

    private double loss(SequenceClassificationHead head, List<ClassificationExample> batch) {
        HeadBatch<ClassificationExample> hb = head.encode(batch, 64);
        EncoderOutputs out = model.encode(hb.input());
        Tape tape = Tape.inference();
        return head.loss(tape, new EncoderVars(hb.input(), tape.constant(out.sequenceOutput()),
                tape.constant(out.pooledOutput())), hb).loss().value().getDouble(0);
    }

    @Test
    void balancedWeightsAndLabelsComeFromTheTrainingFile() throws Exception {
        Path train = dir.resolve("train.tsv");
        Files.writeString(train, "sentence\tlabel\ngood\tpos\ngreat\tpos\ngood film\tpos\nbad\tneg\n");
        SequenceClassificationHead head = head(Map.of("class_weights", "balanced"));
        assertThatThrownBy(head::parameters).isInstanceOf(IllegalStateException.class).hasMessageContaining("no labels yet");
        head.readExamples(train, Map.of());
        assertThat(head.settings().labels()).containsExactly("neg", "pos");
        assertThat(head.settings().classWeights()).containsExactly(2.0, 4.0 / 6);
        assertThat(head.parameters().get(0).value().shape()).containsExactly(2, model.config.hiddenSize());
        // A later (evaluation) file does not change them, and its labels must be known.
        Path dev = dir.resolve("dev.tsv");
        Files.writeString(dev, "sentence\tlabel\nbad\tneg\n");
        head.readExamples(dev, Map.of());
        assertThat(head.settings().classWeights()).containsExactly(2.0, 4.0 / 6);
        Files.writeString(dev, "sentence\tlabel\nbad\tneutral\n");
        assertThatThrownBy(() -> head.readExamples(dev, Map.of())).hasMessageContaining("'neutral'")
                .hasMessageContaining("[neg, pos]");
    }

    @Test
    void learnsSentimentAndReportsAccuracyMacroF1AndConfusion() throws Exception {
        Rng rng = new Rng(1);
        List<ClassificationExample> data = new ArrayList<>();
        String[] positive = {"good", "great"};
        String[] negative = {"bad", "awful"};
        for (int i = 0; i < 120; i++) {
            boolean pos = rng.nextBoolean();
            String word = pos ? positive[rng.nextInt(2)] : negative[rng.nextInt(2)];
            data.add(ClassificationExample.of("the " + (rng.nextBoolean() ? "movie" : "film") + " is " + word + " w"
                    + rng.nextInt(50), pos ? "1" : "0"));
        }
        Path train = dir.resolve("sst.tsv");
        StringBuilder sb = new StringBuilder("sentence\tlabel\n");
        for (ClassificationExample e : data.subList(0, 100)) {
            sb.append(e.text()).append('\t').append(e.label()).append('\n');
        }
        Files.writeString(train, sb);
        SequenceClassificationHead head = head(Map.of());
        List<ClassificationExample> examples = head.readExamples(train, Map.of());
        train(head, examples, 10, 0.5);
        SequenceClassificationHead.Report report = head.report(data.subList(100, 120));
        assertThat(report.metrics().get("accuracy")).isEqualTo(1.0);
        assertThat(report.metrics().get("macro_f1")).isEqualTo(1.0);
        assertThat(report.metrics().get("confusion/0/1")).isZero();
        assertThat(report.metrics().get("confusion/0/0") + report.metrics().get("confusion/1/1")).isEqualTo(20.0);
        assertThat(report.table()).contains("accuracy 1.0000");
        assertThat(head.evaluate(data.subList(100, 120))).isEqualTo(report.metrics());

        // ./bert eval passes predictions=FILE with the data: GLUE's index<TAB>prediction lines.
        Path dev = dir.resolve("dev.tsv");
        Files.writeString(dev, "sentence\tlabel\nthe film is good w1\t1\nthe movie is awful w2\t0\n");
        Path predictions = dir.resolve("out/predictions.tsv");
        List<ClassificationExample> devExamples = head.readExamples(dev, Map.of("predictions", predictions.toString()));
        assertThat(head.evaluate(devExamples).get("accuracy")).isEqualTo(1.0);
        assertThat(Files.readAllLines(predictions)).containsExactly("index\tprediction", "0\t1", "1\t0");
    }

    @Test
    void learnsAPairTaskThatNeedsTheSecondSegment() {
        // The label is the color named in the second text; the first text names a random color to mislead.
        Rng rng = new Rng(2);
        String[] colors = {"red", "green", "blue"};
        List<ClassificationExample> data = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            String first = colors[rng.nextInt(3)];
            String second = colors[rng.nextInt(3)];
            data.add(ClassificationExample.pair("the sky is " + first, "the sea is " + second, second));
        }
        SequenceClassificationHead head = head(Map.of("labels", "red,green,blue"));
        train(head, data.subList(0, 120), 15, 0.5);
        assertThat(head.evaluate(data.subList(120, 150)).get("accuracy")).isEqualTo(1.0);
        assertThat(head.predict(ClassificationRequest.pair("the sky is red", "the sea is blue")).best()).isEqualTo("blue");
        assertThat(head.predict(ClassificationRequest.pair("the sky is blue", "the sea is red")).best()).isEqualTo("red");
    }

    @Test
    void learnsMultiLabel() {
        Rng rng = new Rng(3);
        String[] colors = {"red", "green", "blue"};
        List<ClassificationExample> data = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            List<String> labels = new ArrayList<>();
            StringBuilder text = new StringBuilder("the w" + rng.nextInt(50));
            for (String c : colors) {
                if (rng.nextBoolean()) {
                    labels.add(c);
                    text.append(' ').append(c);
                }
            }
            data.add(new ClassificationExample(text.toString(), null, labels));
        }
        SequenceClassificationHead head = head(Map.of("labels", "red,green,blue",
                "problem_type", "multi_label_classification"));
        train(head, data.subList(0, 160), 25, 2.0);
        Map<String, Double> m = head.evaluate(data.subList(160, 200));
        assertThat(m.get("accuracy")).isEqualTo(1.0);
        assertThat(m.get("macro_f1")).isEqualTo(1.0);
        assertThat(head.predict(ClassificationRequest.of("the blue red")).labels()).extracting(LabelScore::label)
                .containsExactlyInAnyOrder("red", "blue");
        assertThat(head.predict(ClassificationRequest.of("the w3")).labels()).isEmpty();
    }

    @Test
    void savedHeadLoadsThroughTheServiceLoader() throws Exception {
        SequenceClassificationHead head = head(Map.of("labels", "neg,pos", "max_seq_len", "64"));
        wordsToLabels(head, "bad", "good");
        head.save(dir.resolve("heads/classification"));
        var config = HeadFiles.json().readTree(dir.resolve("heads/classification/head.json").toFile()).get("config");
        assertThat(config.get("id2label").get("1").asText()).isEqualTo("pos");
        assertThat(config.get("label2id").get("neg").asInt()).isZero();
        assertThat(config.get("problem_type").asText()).isEqualTo("single_label_classification");
        HeadFactory factory = ServiceLoader.load(HeadFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.descriptor().id().equals("classification")).findFirst().orElseThrow();
        SequenceClassificationHead loaded = (SequenceClassificationHead) factory.load(model,
                dir.resolve("heads/classification"));
        assertThat(loaded.settings()).isEqualTo(head.settings());
        ClassificationRequest r = ClassificationRequest.of("good film").withTopK(2);
        assertThat(loaded.predict(r)).isEqualTo(head.predict(r));
    }

    @Test
    void aHuggingFaceClassifierIsReadFromTheModelDirectory() throws Exception {
        int h = model.config.hiddenSize();
        float[] weight = new float[3 * h];
        weight[2 * h + model.id("great")] = 5;
        new SafetensorsWriter(DType.F32).add("classifier.weight", new long[] {3, h}, weight)
                .add("classifier.bias", new long[] {3}, new float[] {0, 1, 0}).write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), "{\"id2label\": {\"0\": \"NEGATIVE\", \"1\": \"NEUTRAL\", "
                + "\"2\": \"POSITIVE\"}, \"hidden_size\": " + h + "}");
        var head = (SequenceClassificationHead) new SequenceClassificationHeadFactory()
                .fromModel(model.withModelDir(dir)).orElseThrow();
        assertThat(head.settings().labels()).containsExactly("NEGATIVE", "NEUTRAL", "POSITIVE");
        assertThat(head.predict(ClassificationRequest.of("great")).best()).isEqualTo("POSITIVE");
        assertThat(head.predict(ClassificationRequest.of("film")).best()).isEqualTo("NEUTRAL");
    }

    @Test
    void badOptionsFailAtCreation() {
        assertThatThrownBy(() -> head(Map.of("labels", "only"))).hasMessageContaining("at least 2 labels");
        assertThatThrownBy(() -> head(Map.of("problem_type", "regression"))).hasMessageContaining("problem_type");
        assertThatThrownBy(() -> head(Map.of("labels", "a,b", "problem_type", "multi_label_classification",
                "class_weights", "1,2"))).hasMessageContaining("single-label");
        assertThatThrownBy(() -> head(Map.of("max_seq_len", "1024"))).hasMessageContaining("512 positions");
        assertThatThrownBy(() -> head(Map.of("classifier_dropout", "x"))).hasMessageContaining("classifier_dropout");
    }
}
