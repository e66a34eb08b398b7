package dev.bertj.heads.translation;

import dev.bertj.core.head.EncoderVars;
import dev.bertj.core.head.HeadBatch;
import dev.bertj.core.head.HeadLoss;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.train.AdamW;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tiny decoder on a tiny encoder learns to translate-and-reverse ({@link ReversalTask}) to 100% exact match on
 * held-out sentences, trained by the head's own {@code encode}/{@code loss} with AdamW, the encoder's embedding
 * trained through {@link EncoderVars}. The trained model is shared by the tests of this class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReversalTaskTest {

    private static final int BATCH = 32;
    private static final int MAX_STEPS = 800;
    private static final int WARMUP = 50;

    private TinyEncoder encoder;
    private TranslationHead head;
    private final List<ParallelExample> heldOut = ReversalTask.examples(60, 2, 6, 99);
    private long trainingMillis;
    private int stepsTaken;
    private final List<Double> losses = new ArrayList<>();

    @BeforeAll
    void train(@TempDir Path dir) throws IOException {
        List<ParallelExample> train = ReversalTask.examples(3000, 1, 6, 7);
        Path tsv = dir.resolve("train.tsv");
        List<String> lines = new ArrayList<>();
        for (ParallelExample e : train) {
            lines.add(e.source() + "\t" + e.target());
        }
        Files.write(tsv, lines, StandardCharsets.UTF_8);

        encoder = new TinyEncoder(ReversalTask.SOURCE, 24, 3);
        head = TranslationHead.fresh(encoder, Map.of("layers", "2", "hidden", "32", "heads", "4", "ffn", "64",
                "dropout", "0.0", "vocab_size", "100", "max_target_positions", "12", "num_beams", "1",
                // BERT's 0.02 is for widths in the hundreds; at width 32 attention would start (and stay long) uniform.
                "initializer_range", "0.15"));
        List<ParallelExample> read = head.readExamples(tsv, Map.of());
        assertThat(read).hasSize(train.size());

        List<Parameter> params = new ArrayList<>(head.parameters());
        params.add(encoder.wordEmbeddings());
        AdamW optimizer = new AdamW(params, AdamW.Options.torch(0.01));
        Rng order = new Rng(5);
        long start = System.nanoTime();
        for (int step = 1; step <= MAX_STEPS; step++) {
            List<ParallelExample> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                batch.add(train.get(order.nextInt(train.size())));
            }
            HeadBatch<ParallelExample> encoded = head.encode(batch, TinyEncoder.MAX_SOURCE);
            for (Parameter p : params) {
                if (p.hasGrad()) {
                    p.grad().assign(0);
                }
            }
            Tape tape = Tape.training();
            EncoderVars vars = encoder.forward(tape, encoded.input());
            HeadLoss loss = head.loss(tape, vars, encoded);
            tape.backward(loss.loss());
            // Linear warm-up, then linear decay to 0 at MAX_STEPS.
            optimizer.step(5e-3 * Math.min(step / (double) WARMUP, (MAX_STEPS - step) / (double) (MAX_STEPS - WARMUP)));
            losses.add(loss.loss().value().getDouble(0));
            stepsTaken = step;
            if (step >= 200 && step % 50 == 0 && exactMatch(GenerationOptions.greedy(12)) == 1.0) {
                break;
            }
        }
        trainingMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("reversal task: %d steps in %d ms%n", stepsTaken, trainingMillis);
    }

    private double exactMatch(GenerationOptions search) {
        List<String> out = head.translate(heldOut.stream().map(ParallelExample::source).toList(), search);
        int right = 0;
        for (int i = 0; i < out.size(); i++) {
            right += out.get(i).equals(heldOut.get(i).target()) ? 1 : 0;
        }
        return (double) right / out.size();
    }

    @Test
    void tokenLengthIsTheLongerSideOfThePairAsEncoded() {
        ParallelExample e = new ParallelExample("one two three", "drei");
        HeadBatch<ParallelExample> encoded = head.encode(List.of(e), TinyEncoder.MAX_SOURCE);
        int sourceTokens = encoded.input().seqLen();
        int decoderTokens = ((TranslationHead.TargetBatch) encoded.targets()).decoderInputIds()[0].length;
        assertThat(head.tokenLength(e, TinyEncoder.MAX_SOURCE)).isEqualTo(Math.max(sourceTokens, decoderTokens));
        assertThat(sourceTokens).isEqualTo(5); // [CLS] one two three [SEP]
        ParallelExample longTarget = new ParallelExample("one", "eins zwei drei vier fünf sechs");
        int targetSide = ((TranslationHead.TargetBatch) head.encode(List.of(longTarget), TinyEncoder.MAX_SOURCE)
                .targets()).decoderInputIds()[0].length;
        assertThat(head.tokenLength(longTarget, TinyEncoder.MAX_SOURCE)).isEqualTo(targetSide).isGreaterThan(3);
        ParallelExample longSource = new ParallelExample("one two three four five six seven eight one two three four "
                + "five six seven eight one two", "eins");
        assertThat(head.tokenLength(longSource, TinyEncoder.MAX_SOURCE)).isEqualTo(TinyEncoder.MAX_SOURCE);
    }

    @Test
    void learnsTheTaskToFullExactMatchWithGreedySearch() {
        assertThat(exactMatch(GenerationOptions.greedy(12))).as("after %d steps", stepsTaken).isEqualTo(1.0);
        assertThat(losses.get(losses.size() - 1)).isLessThan(losses.get(0) / 3);
    }

    @Test
    void beamSearchAgreesOnTheLearnedTask() {
        assertThat(exactMatch(new GenerationOptions(4, 12, 1.0, false))).isEqualTo(1.0);
    }

    @Test
    void evaluateReportsPerfectBleuAndChrFAndWritesTheTranslations(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("held-out.tsv");
        Files.write(tsv, heldOut.stream().map(e -> e.source() + "\t" + e.target()).toList(), StandardCharsets.UTF_8);
        Path predictions = dir.resolve("predictions.txt");
        List<ParallelExample> read = head.readExamples(tsv, Map.of("predictions", predictions.toString()));
        Map<String, Double> m = head.evaluate(read);
        assertThat(Files.readAllLines(predictions, StandardCharsets.UTF_8))
                .isEqualTo(heldOut.stream().map(ParallelExample::target).toList());
        assertThat(m.get("bleu")).isEqualTo(100.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(m.get("chrf")).isEqualTo(100.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(m.get("sentences")).isEqualTo(60.0);
    }

    @Test
    void searchOptionsGivenWithTheEvaluationDataReplaceTheDefaultsForThatEvaluation(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("held-out.tsv");
        Files.write(tsv, heldOut.stream().map(e -> e.source() + "\t" + e.target()).toList(), StandardCharsets.UTF_8);
        Map<String, Double> beams = head.evaluate(head.readExamples(tsv, Map.of("num_beams", "3")));
        assertThat(beams.get("num_beams")).isEqualTo(3.0);
        assertThat(beams.get("bleu")).isEqualTo(100.0, org.assertj.core.api.Assertions.within(1e-9));
        Map<String, Double> defaults = head.evaluate(head.readExamples(tsv, Map.of()));
        assertThat(defaults.get("num_beams")).isEqualTo(1.0);
        List<ParallelExample> cut = head.readExamples(tsv, Map.of("max_length", "2"));
        assertThat(head.evaluate(cut).get("hyp_len")).as("one token at most per sentence").isLessThanOrEqualTo(60.0);
        List<ParallelExample> bad = head.readExamples(tsv, Map.of("num_beams", "zero"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> head.evaluate(bad)).hasMessageContaining("num_beams");
        head.readExamples(tsv, Map.of());
    }

    /** Prints decoding speed on the tiny model (noisy on a shared machine); checks the outputs while timing. */
    @Test
    void decodingSpeedOnTheTinyModel() {
        List<String> sources = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        for (int r = 0; r < 5; r++) {
            for (ParallelExample e : heldOut) {
                sources.add(e.source());
                targets.add(e.target());
            }
        }
        for (int beams : new int[] {1, 4}) {
            GenerationOptions search = new GenerationOptions(beams, 12, 1.0, false);
            head.translate(sources.subList(0, 32), search);
            long start = System.nanoTime();
            List<String> out = head.translate(sources, search);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(out).isEqualTo(targets);
            System.out.printf("tiny model, %d sentences, beams %d: %.0f sentences/s%n", sources.size(), beams,
                    sources.size() / seconds);
        }
    }

    @Test
    void dropoutMakesTrainingForwardPassesDifferWhileInferenceIsDeterministic(@TempDir Path dir) throws IOException {
        Path vocab = dir.resolve("target-vocab.txt");
        head.targetVocabulary().write(vocab);
        TinyEncoder enc = new TinyEncoder(ReversalTask.SOURCE, 24, 3);
        TranslationHead withDropout = TranslationHead.fresh(enc, Map.of("layers", "1", "hidden", "16", "heads", "2",
                "ffn", "32", "dropout", "0.3", "max_target_positions", "12", "target_vocab", vocab.toString()));
        assertThat(withDropout.targetVocabulary().size()).isEqualTo(head.targetVocabulary().size());
        HeadBatch<ParallelExample> batch = withDropout.encode(heldOut.subList(0, 8), TinyEncoder.MAX_SOURCE);
        double[] losses = new double[2];
        for (int i = 0; i < 2; i++) {
            Tape tape = Tape.training();
            losses[i] = withDropout.loss(tape, enc.forward(tape, batch.input()), batch).loss().value().getDouble(0);
        }
        assertThat(losses[0]).isNotEqualTo(losses[1]);
        List<String> sources = heldOut.stream().map(ParallelExample::source).limit(4).toList();
        assertThat(withDropout.translate(sources, GenerationOptions.greedy(8)))
                .isEqualTo(withDropout.translate(sources, GenerationOptions.greedy(8)));
    }

    @Test
    void targetVocabularyIsCasedWithAccents() {
        TargetVocabulary vocab = head.targetVocabulary();
        assertThat(vocab.vocabulary().contains("fünf")).isTrue();
        assertThat(vocab.decode(vocab.encode("fünf eins."))).isEqualTo("fünf eins.");
        // Cased: "Fünf" is not lowercased into "fünf" (the training text had no capitals, so it is unknown).
        assertThat(vocab.encode("Fünf")).containsExactly(vocab.vocabulary().unkId());
    }

    @Test
    void savedAndLoadedHeadTranslatesTheSame(@TempDir Path dir) throws IOException {
        Path headDir = dir.resolve("heads").resolve("translation");
        head.save(headDir);
        assertThat(headDir.resolve("target-vocab.txt")).exists();
        assertThat(headDir.resolve("head.safetensors")).exists();
        String json = Files.readString(headDir.resolve("head.json"));
        assertThat(json).contains("\"id\" : \"translation\"", "\"num_hidden_layers\" : 2", "\"target_vocab\" : \"target-vocab.txt\"");
        TranslationHead loaded = (TranslationHead) new TranslationHeadFactory().load(encoder, headDir);
        List<String> sources = heldOut.stream().map(ParallelExample::source).limit(10).toList();
        assertThat(loaded.translate(sources, new GenerationOptions(3, 12, 1.0, false)))
                .isEqualTo(head.translate(sources, new GenerationOptions(3, 12, 1.0, false)));
        assertThat(loaded.predict(new TranslationRequest(sources.get(0), 2, null)).text())
                .isEqualTo(heldOut.get(0).target());
    }
}
