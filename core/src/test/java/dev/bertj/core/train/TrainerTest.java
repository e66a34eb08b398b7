package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    private static final int FEATURES = 12;
    private static final int CLASSES = 4;
    /** One teacher, two disjoint samples of it. */
    private static final List<ToyClassifier.Example> ALL = ToyClassifier.data(160, FEATURES, CLASSES, 1);
    private static final List<ToyClassifier.Example> TRAIN = ALL.subList(0, 96);
    private static final List<ToyClassifier.Example> HELD_OUT = ALL.subList(96, 160);

    /** One toy training setup built from scratch, as a fresh process would build it. */
    static final class Setup {
        final ToyClassifier task;
        final EpochDataSource<ToyClassifier.Example, ToyClassifier.Batch> data;
        final AdamW adam;
        final Trainer<ToyClassifier.Batch> trainer;
        final List<StepReport> steps = new ArrayList<>();

        Setup(long seed, TrainerOptions options, int batch) {
            task = new ToyClassifier(FEATURES, CLASSES, 0.1f, seed);
            data = ToyClassifier.source(TRAIN, batch, seed);
            adam = new AdamW(task.parameters(), AdamW.Options.torch(0.01));
            trainer = new Trainer<>(task, data, adam,
                    LearningRateSchedule.linearWarmupDecay(0.05, 5, options.totalSteps()), options)
                    .progress(null, null)
                    .evaluator(step -> task.evaluate(HELD_OUT))
                    .listener(new TrainingListener() {
                        @Override
                        public void onStep(StepReport report) {
                            steps.add(report);
                        }
                    });
        }

        List<Double> losses() {
            return steps.stream().map(StepReport::loss).collect(Collectors.toList());
        }
    }

    private static TrainerOptions.Builder options(long steps) {
        return TrainerOptions.builder(steps).seed(7).logEvery(4).evalEvery(10);
    }

    @Test
    void sameSeedGivesTheSameLossCurveAndTheModelLearns() {
        Setup a = new Setup(7, options(60).build(), 8);
        Setup b = new Setup(7, options(60).build(), 8);
        Setup c = new Setup(8, options(60).build(), 8);
        TrainingResult ra = a.trainer.run();
        b.trainer.run();
        c.trainer.run();
        assertThat(a.losses()).hasSize(60).containsExactlyElementsOf(b.losses());
        assertThat(c.losses()).isNotEqualTo(a.losses());
        assertThat(ra.status()).isEqualTo(TrainingResult.Status.COMPLETED);
        assertThat(ra.step()).isEqualTo(60);
        // The toy learns its teacher: held-out accuracy far above chance (0.25), loss well below ln 4.
        assertThat(ra.lastEvaluation().get("accuracy")).isGreaterThan(0.7);
        assertThat(ra.lastEvaluation().get("loss")).isLessThan(0.8 * Math.log(CLASSES));
        assertThat(a.steps.get(0).learningRate()).isEqualTo(0.0); // warm-up starts at 0
        assertThat(a.steps.get(5).learningRate()).isEqualTo(0.05);
        assertThat(a.steps.get(59).tokens()).isEqualTo(8L * FEATURES);
    }

    /**
     * The resume acceptance test: a straight run of 30 steps against a run that "crashes" at step 17 (after its
     * checkpoint at 10; nothing saved at the crash) and resumes in freshly built objects: identical per-step losses,
     * identical parameters, identical metrics log.
     */
    @Test
    void resumingFromACheckpointContinuesTheIdenticalLossCurve(@TempDir Path tmp) throws IOException {
        TrainerOptions opts = options(30).checkpointEvery(10).accumulationSteps(2).saveOnCancel(false).build();
        Setup straight = new Setup(7, opts, 6);
        try (CheckpointManager m = new CheckpointManager(tmp.resolve("straight"), 5)) {
            straight.trainer.checkpoints(m).run();
        }

        Setup crashed = new Setup(7, opts, 6);
        crashed.trainer.listener(new TrainingListener() {
            @Override
            public void onStep(StepReport report) {
                if (report.step() == 17) {
                    crashed.trainer.cancel();
                }
            }
        });
        try (CheckpointManager m = new CheckpointManager(tmp.resolve("resumed"), 5)) {
            TrainingResult r = crashed.trainer.checkpoints(m).run();
            assertThat(r.status()).isEqualTo(TrainingResult.Status.CANCELLED);
            assertThat(r.step()).isEqualTo(17);
            assertThat(m.latest().orElseThrow().step()).isEqualTo(10);
        }
        assertThat(crashed.losses()).containsExactlyElementsOf(straight.losses().subList(0, 17));

        Setup resumed = new Setup(7, opts, 6);
        try (CheckpointManager m = new CheckpointManager(tmp.resolve("resumed"), 5)) {
            resumed.trainer.checkpoints(m);
            assertThat(resumed.trainer.resume()).hasValue(10);
            resumed.trainer.run();
        }
        assertThat(resumed.losses()).containsExactlyElementsOf(straight.losses().subList(10, 30));
        assertThat(resumed.task.weight.value()).isEqualTo(straight.task.weight.value());
        assertThat(resumed.task.bias.value()).isEqualTo(straight.task.bias.value());
        assertThat(resumed.adam.stepCount()).isEqualTo(30);
        assertThat(withoutTiming(tmp.resolve("resumed/metrics.jsonl")))
                .containsExactlyElementsOf(withoutTiming(tmp.resolve("straight/metrics.jsonl")));
    }

    private static List<String> withoutTiming(Path jsonl) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            ObjectNode e = MetricsLog.parse(line);
            e.remove("elapsed_seconds");
            e.remove("tokens_per_second");
            out.add(e.toString());
        }
        return out;
    }

    /** N micro-batches of b with loss scale 1/N give the gradient of one batch of N*b. */
    @Test
    void gradientAccumulationMatchesOneLargeBatch() {
        ToyClassifier big = new ToyClassifier(FEATURES, CLASSES, 0f, 3);
        ToyClassifier small = new ToyClassifier(FEATURES, CLASSES, 0f, 3);
        var bigData = new EpochDataSource<>(TRAIN, 8, 0, false, ToyClassifier.Batch::new);
        var smallData = new EpochDataSource<>(TRAIN, 2, 0, false, ToyClassifier.Batch::new);
        List<StepReport> bigSteps = new ArrayList<>();
        List<StepReport> smallSteps = new ArrayList<>();
        TrainingListener toBig = new TrainingListener() {
            @Override
            public void onStep(StepReport r) {
                bigSteps.add(r);
            }
        };
        TrainingListener toSmall = new TrainingListener() {
            @Override
            public void onStep(StepReport r) {
                smallSteps.add(r);
            }
        };
        new Trainer<>(big, bigData, new AdamW(big.parameters(), AdamW.Options.bert(0.01)),
                LearningRateSchedule.constant(0.01), TrainerOptions.builder(3).maxGradNorm(0).build())
                .progress(null, null).listener(toBig).run();
        new Trainer<>(small, smallData, new AdamW(small.parameters(), AdamW.Options.bert(0.01)),
                LearningRateSchedule.constant(0.01), TrainerOptions.builder(3).maxGradNorm(0).accumulationSteps(4).build())
                .progress(null, null).listener(toSmall).run();
        for (int i = 0; i < 3; i++) {
            assertThat(smallSteps.get(i).loss()).isCloseTo(bigSteps.get(i).loss(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(smallSteps.get(i).gradNorm()).isCloseTo(bigSteps.get(i).gradNorm(), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(smallSteps.get(i).tokens()).isEqualTo(bigSteps.get(i).tokens());
        }
        float[] a = big.weight.value().reshape(-1).toFloatVector();
        float[] b = small.weight.value().reshape(-1).toFloatVector();
        for (int i = 0; i < a.length; i++) {
            assertThat(b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void writesTheMetricsLogAndThePicturesBesideTheCheckpoints(@TempDir Path tmp) throws IOException {
        Setup s = new Setup(7, options(22).checkpointEvery(10).build(), 8);
        try (CheckpointManager m = new CheckpointManager(tmp, 2)) {
            s.trainer.checkpoints(m).run();
            assertThat(m.list()).extracting(CheckpointManager.Checkpoint::step).containsExactly(20L, 22L);
        }
        List<String> lines = Files.readAllLines(tmp.resolve("metrics.jsonl"));
        List<ObjectNode> entries = new ArrayList<>();
        for (String line : lines) {
            entries.add(MetricsLog.parse(line));
        }
        // train lines at 4, 8, ..., 20 and the partial interval ending at 22; evals at 10, 20 and the end
        assertThat(entries.stream().filter(e -> e.path("split").asText().equals("train")).map(e -> e.path("step").asLong()))
                .containsExactly(4L, 8L, 12L, 16L, 20L, 22L);
        assertThat(entries.stream().filter(e -> e.path("split").asText().equals("eval")).map(e -> e.path("step").asLong()))
                .containsExactly(10L, 20L, 22L);
        ObjectNode first = entries.get(0);
        for (String field : new String[] {"lr", "loss", "grad_norm", "tokens_per_second", "elapsed_seconds"}) {
            assertThat(first.path(field).isNumber()).as(field).isTrue();
        }
        double mean = s.losses().subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(first.path("loss").asDouble()).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(first.path("metrics").path("accuracy").isNumber()).isTrue();
        String loss = Files.readString(tmp.resolve("loss.svg"));
        assertThat(loss).contains("train loss").contains("eval loss").startsWith("<svg");
        assertThat(Files.readString(tmp.resolve("accuracy.svg"))).contains("train accuracy").contains("eval accuracy");
    }

    @Test
    void showsAPlainProgressLinePerLogIntervalWhenNotOnATerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Setup s = new Setup(7, options(8).build(), 8);
        s.trainer.progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r").doesNotContain("\033");
        List<String> stepLines = out.lines().filter(l -> l.startsWith("step ")).toList();
        assertThat(stepLines).hasSize(2);
        assertThat(stepLines.get(1)).matches("step 8/8 \\(100\\.0%\\) \\| loss \\d+\\.\\d{4} \\| accuracy \\d\\.\\d{3} \\| lr "
                + "\\S+ \\| [\\d,]+ tok/s \\| \\d\\d:\\d\\d:\\d\\d elapsed \\| ETA \\d\\d:\\d\\d:\\d\\d");
        assertThat(out).contains("evaluation at step 8: ").contains("finished at step 8/8");

        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        new Setup(7, options(8).build(), 8).trainer.progress(new PrintStream(tty, true, StandardCharsets.UTF_8), true).run();
        assertThat(tty.toString(StandardCharsets.UTF_8)).contains("\rstep ").contains("\033[K");
    }

    @Test
    void cancellationStopsAfterTheStepAndSavesAResumableCheckpoint(@TempDir Path tmp) {
        Setup s = new Setup(7, options(50).build(), 8);
        List<TrainingResult> finished = new ArrayList<>();
        s.trainer.listener(new TrainingListener() {
            @Override
            public void onStep(StepReport r) {
                if (r.step() == 5) {
                    s.trainer.cancel();
                }
            }

            @Override
            public void onFinish(TrainingResult result) {
                finished.add(result);
            }
        });
        try (CheckpointManager m = new CheckpointManager(tmp, 2)) {
            TrainingResult r = s.trainer.checkpoints(m).run();
            assertThat(r.status()).isEqualTo(TrainingResult.Status.CANCELLED);
            assertThat(r.step()).isEqualTo(5);
            assertThat(r.lastCheckpoint()).isEqualTo(tmp.toAbsolutePath().resolve("checkpoint-5"));
            assertThat(finished).containsExactly(r);
        }
        Setup again = new Setup(7, options(50).build(), 8);
        try (CheckpointManager m = new CheckpointManager(tmp, 2)) {
            assertThat(again.trainer.checkpoints(m).resume()).hasValue(5);
        }
    }

    @Test
    void aDivergingLossFailsWithAClearMessage() {
        ToyClassifier task = new ToyClassifier(FEATURES, CLASSES, 0f, 3);
        TrainingTask<ToyClassifier.Batch> exploding = new TrainingTask<>() {
            @Override
            public List<dev.bertj.core.nn.Parameter> parameters() {
                return task.parameters();
            }

            @Override
            public StepResult trainStep(ToyClassifier.Batch batch, float lossScale) {
                StepResult r = task.trainStep(batch, lossScale);
                return r.loss() < 100 && batch.examples().get(0) != TRAIN.get(16) ? r : StepResult.of(Double.NaN, 1);
            }
        };
        List<TrainingResult> finished = new ArrayList<>();
        Trainer<ToyClassifier.Batch> t = new Trainer<>(exploding,
                new EpochDataSource<>(TRAIN, 8, 0, false, ToyClassifier.Batch::new),
                new AdamW(task.parameters(), AdamW.Options.bert(0.01)), LearningRateSchedule.constant(0.01),
                TrainerOptions.builder(10).build()).progress(null, null).listener(new TrainingListener() {
                    @Override
                    public void onFinish(TrainingResult result) {
                        finished.add(result);
                    }
                });
        assertThatThrownBy(t::run).isInstanceOf(TrainingException.class)
                .hasMessageContaining("the loss is NaN at step 3").hasMessageContaining("learning rate");
        assertThat(finished).singleElement().extracting(TrainingResult::status).isEqualTo(TrainingResult.Status.FAILED);
    }

    @Test
    void aFailingListenerDoesNotStopTraining() {
        Setup s = new Setup(7, options(6).build(), 8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.trainer.progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false).listener(new TrainingListener() {
            @Override
            public void onStep(StepReport report) {
                throw new IllegalStateException("client went away");
            }
        });
        assertThat(s.trainer.run().status()).isEqualTo(TrainingResult.Status.COMPLETED);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).containsOnlyOnce("client went away");
    }

    @Test
    void refusesAResumeIntoAModelOfAnotherShape(@TempDir Path tmp) {
        Setup s = new Setup(7, options(6).build(), 8);
        try (CheckpointManager m = new CheckpointManager(tmp, 2)) {
            s.trainer.checkpoints(m).run();
        }
        ToyClassifier wider = new ToyClassifier(FEATURES + 1, CLASSES, 0.1f, 7);
        Trainer<ToyClassifier.Batch> t = new Trainer<>(wider, ToyClassifier.source(TRAIN, 8, 7),
                new AdamW(wider.parameters(), AdamW.Options.torch(0.01)), LearningRateSchedule.constant(0.01),
                options(6).build()).progress(null, null);
        try (CheckpointManager m = new CheckpointManager(tmp, 2)) {
            assertThatThrownBy(() -> t.checkpoints(m).resume())
                    .isInstanceOf(dev.bertj.core.io.CheckpointException.class)
                    .hasMessageContaining("classifier.weight").hasMessageContaining("shape");
        }
    }
}
