package dev.bertj.core.head;

import dev.bertj.core.model.BertModel;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.train.AdamW;
import dev.bertj.core.train.CheckpointManager;
import dev.bertj.core.train.EpochDataSource;
import dev.bertj.core.train.LearningRateSchedule;
import dev.bertj.core.train.ModelLayout;
import dev.bertj.core.train.Trainer;
import dev.bertj.core.train.TrainerOptions;
import dev.bertj.core.train.TrainingListener;
import dev.bertj.core.train.TrainingResult;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Fine-tunes one head on a model and writes the result as one model directory: the (possibly adjusted) encoder,
 * its vocabulary, the new head in {@code heads/<id>/}, and the other heads the source model had. Checkpoints go to
 * {@code <out>/checkpoints/}; running the same command again resumes from the latest one.
 */
public final class FineTuning {

    private FineTuning() {
    }

    public static TrainingResult run(HeadHost host, FineTuneOptions o, PrintStream progress,
                                     List<TrainingListener> listeners, Consumer<Trainer<?>> onStart) throws IOException {
        TaskHead<?, ?, ?> head = host.freshHead(o.headId(), o.headOptions());
        return runTyped(host, head, o, progress, listeners, onStart);
    }

    private static <E> TrainingResult runTyped(HeadHost host, TaskHead<?, ?, E> head, FineTuneOptions o,
                                               PrintStream progress, List<TrainingListener> listeners,
                                               Consumer<Trainer<?>> onStart) throws IOException {
        List<E> train = limit(head.readExamples(o.train(), o.headOptions()), o.maxTrainExamples());
        if (train.isEmpty()) {
            throw new IllegalArgumentException(o.train() + ": no training examples");
        }
        List<E> eval = o.eval() == null ? List.of() : limit(head.readExamples(o.eval(), o.headOptions()), o.maxEvalExamples());
        BertModel model = host.model();
        int maxLength = Math.min(o.maxLength(), model.config().maxPositionEmbeddings());
        EpochDataSource<E, HeadBatch<E>> data = new EpochDataSource<>(train, o.batchSize(), o.seed(), true,
                examples -> head.encode(examples, maxLength), o.bucketByLength() ? lengths(head, train, maxLength) : null);
        long stepsPerEpoch = Math.max(1, data.batchesPerEpoch() / o.accumulationSteps());
        long steps = o.maxSteps() > 0 ? o.maxSteps() : stepsPerEpoch * o.epochs();

        HeadTrainingTask<E> task = new HeadTrainingTask<>(model, head, o.freezeEncoder(), o.seed());
        AdamW optimizer = new AdamW(task.parameters(), AdamW.Options.torch(o.weightDecay()));
        LearningRateSchedule schedule = LearningRateSchedule.linearWarmupDecay(o.learningRate(),
                Math.round(steps * o.warmupFraction()), steps);
        TrainerOptions.Builder tb = TrainerOptions.builder(steps).accumulationSteps(o.accumulationSteps())
                .maxGradNorm(1.0).seed(o.seed()).logEvery(10);
        if (o.checkpointEvery() > 0) {
            tb.checkpointEvery(o.checkpointEvery());
        }
        if (o.evalEvery() > 0 && !eval.isEmpty()) {
            tb.evalEvery(o.evalEvery());
        }
        Trainer<HeadBatch<E>> trainer = new Trainer<>(task, data, optimizer, schedule, tb.build());
        Files.createDirectories(o.out());
        CheckpointManager checkpoints = new CheckpointManager(o.out().resolve("checkpoints"), 2);
        trainer.checkpoints(checkpoints, modelFiles(host, head))
                .reportTo(o.out())
                .progress(progress, null);
        if (!eval.isEmpty()) {
            trainer.evaluator(step -> head.evaluate(eval));
        }
        listeners.forEach(trainer::listener);
        trainer.resume();
        if (onStart != null) {
            onStart.accept(trainer);
        }
        TrainingResult result;
        try {
            result = trainer.run();
        } finally {
            checkpoints.close();
        }
        if (result.status() == TrainingResult.Status.COMPLETED) {
            writeModel(host, head, o.out());
            host.put(head);
        }
        return result;
    }

    private static <E> int[] lengths(TaskHead<?, ?, E> head, List<E> examples, int maxLength) {
        int[] lengths = new int[examples.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = head.tokenLength(examples.get(i), maxLength);
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("the " + head.descriptor().id() + " head cannot bucket its "
                        + "examples by length: drop --bucket-by-length");
            }
        }
        return lengths;
    }

    /** What a checkpoint holds: the encoder, the head's own parameters, and the files that make it a model dir. */
    private static ModelLayout modelFiles(HeadHost host, TaskHead<?, ?, ?> head) {
        List<Parameter> encoder = host.model().parameters();
        Set<Parameter> shared = Collections.newSetFromMap(new IdentityHashMap<>());
        shared.addAll(encoder);
        List<Parameter> own = new ArrayList<>();
        for (Parameter p : head.parameters()) {
            if (!shared.contains(p)) {
                own.add(p);
            }
        }
        String id = head.descriptor().id();
        ModelLayout files = ModelLayout.of(encoder);
        if (!own.isEmpty()) {
            files = files.withFile("heads/" + id + "/" + HeadFiles.WEIGHTS, own);
        }
        return files.withExtras(dir -> copyModelFiles(host, dir));
    }

    /** Writes the fine-tuned model directory (atomically per file; the head last). */
    public static void writeModel(HeadHost host, TaskHead<?, ?, ?> head, Path out) throws IOException {
        host.model().save(out);
        copyModelFiles(host, out);
        head.save(HeadFiles.dir(out, head.descriptor().id()));
    }

    /** Vocabulary and tokenizer files, and the source model's other heads. */
    private static void copyModelFiles(HeadHost host, Path out) throws IOException {
        Path src = host.modelDir();
        if (src == null || src.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            if (src == null) {
                host.tokenizer().vocabulary().write(out.resolve("vocab.txt"));
            }
            return;
        }
        for (String name : List.of("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            Path f = src.resolve(name);
            if (Files.isRegularFile(f)) {
                Files.copy(f, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path heads = src.resolve("heads");
        if (Files.isDirectory(heads)) {
            try (Stream<Path> walk = Files.walk(heads)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path target = out.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else if (!Files.exists(target)) {
                        Files.copy(p, target);
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /** Scores a model's head on labelled data. */
    public static Map<String, Double> evaluate(HeadHost host, String headId, Path data, Map<String, String> options,
                                               int maxExamples) throws IOException {
        return evaluate(host, headId, data, options, maxExamples, EvaluationProgress.NONE);
    }

    /** As {@link #evaluate(HeadHost, String, Path, Map, int)}, telling {@code progress} how far it has got. */
    public static Map<String, Double> evaluate(HeadHost host, String headId, Path data, Map<String, String> options,
                                               int maxExamples, EvaluationProgress progress) throws IOException {
        TaskHead<?, ?, ?> head = host.head(headId);
        return evaluateTyped(head, data, options, maxExamples, progress);
    }

    private static <E> Map<String, Double> evaluateTyped(TaskHead<?, ?, E> head, Path data, Map<String, String> options,
                                                         int maxExamples, EvaluationProgress progress)
            throws IOException {
        return head.evaluate(limit(head.readExamples(data, options), maxExamples), progress);
    }

    private static <E> List<E> limit(List<E> examples, int max) {
        return max > 0 && examples.size() > max ? examples.subList(0, max) : examples;
    }
}
