package dev.bertj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The training loop shared by pre-training and every fine-tuning head. Each optimizer step: zero the gradients,
 * run {@code accumulationSteps} micro-batches through the task (loss scaled by 1/N), clip by global norm, take the
 * learning rate from the schedule, update with AdamW. Around it: a live progress line, a metrics log with loss
 * pictures, periodic evaluation, periodic atomic checkpoints, exact resume, cancellation and listeners.
 *
 * <p>Determinism: the loop itself draws no random numbers. Given a task and data source whose randomness comes
 * from {@link Rng}s seeded by the caller (and reported by {@link TrainingTask#rngs()}), the same seed gives the same
 * loss curve, and a run resumed from a checkpoint continues exactly as the uninterrupted run would have.
 *
 * <pre>{@code
 * AdamW adam = new AdamW(task.parameters(), AdamW.Options.bert(0.01));
 * var schedule = LearningRateSchedule.bertWarmupDecay(1e-4, 1_000, 100_000);
 * var options = TrainerOptions.builder(100_000).checkpointEvery(1_000).evalEvery(1_000).seed(42).build();
 * try (var checkpoints = new CheckpointManager(out, 3)) {
 *     var trainer = new Trainer<>(task, data, adam, schedule, options)
 *             .checkpoints(checkpoints, ModelLayout.of(task.parameters()).withExtras(dir -> writeConfigAndVocab(dir)))
 *             .evaluator(step -> evaluate(heldOut));
 *     if (resume) trainer.resume();
 *     TrainingResult result = trainer.run();
 * }
 * }</pre>
 *
 * @param <B> the batch type
 */
public final class Trainer<B> {

    /** Pictures are redrawn at most this often on ordinary log lines (always at evaluations and checkpoints). */
    private static final long PLOT_INTERVAL_NANOS = 30_000_000_000L;

    private final TrainingTask<B> task;
    private final DataSource<B> data;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final TrainerOptions options;
    private final List<Parameter> parameters;

    private CheckpointManager checkpoints;
    private ModelLayout layout;
    private Evaluator evaluator;
    private Path reportDir;
    private boolean reportDirSet;
    private PrintStream progressOut = System.err;
    private Boolean interactive;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final Set<TrainingListener> failedListeners = Collections.newSetFromMap(new IdentityHashMap<>());

    private volatile boolean cancelRequested;
    private boolean running;

    // Run state, saved in checkpoints.
    private long step;
    private long tokensSeen;
    private double elapsedBefore;
    private long lastCheckpointStep = -1;
    private Path lastCheckpoint;
    private long lastEvalStep = -1;
    private Map<String, Double> lastEvaluation = Map.of();
    private JsonNode resumedHistory;

    // The current log interval.
    private int intervalSteps;
    private double intervalLoss;
    private double intervalGradNorm;
    private long intervalTokens;
    private final Map<String, Double> intervalMetrics = new LinkedHashMap<>();
    private long intervalStartNanos;

    public Trainer(TrainingTask<B> task, DataSource<B> data, AdamW optimizer, LearningRateSchedule schedule,
                   TrainerOptions options) {
        this.task = task;
        this.data = data;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.options = options;
        this.parameters = List.copyOf(task.parameters());
        this.layout = null;
    }

    // ------------------------------------------------------------------------------------------ configuration

    /**
     * Periodic checkpoints (every {@link TrainerOptions#checkpointEvery()} steps and at the end) into
     * {@code manager}'s root, holding {@code model} (parameters, config, vocab). Reports go beside them unless
     * {@link #reportTo} says otherwise.
     */
    public Trainer<B> checkpoints(CheckpointManager manager, ModelLayout model) {
        this.checkpoints = manager;
        this.layout = model;
        return this;
    }

    /** Checkpoints holding every task parameter in {@code model.safetensors} and nothing else. */
    public Trainer<B> checkpoints(CheckpointManager manager) {
        return checkpoints(manager, ModelLayout.of(parameters));
    }

    public Trainer<B> evaluator(Evaluator e) {
        this.evaluator = e;
        return this;
    }

    /** Where {@code metrics.jsonl} and the pictures go; null for nowhere. Default: the checkpoint root. */
    public Trainer<B> reportTo(Path dir) {
        this.reportDir = dir;
        this.reportDirSet = true;
        return this;
    }

    /**
     * Where the progress line goes (default {@code System.err}); null for silence. {@code interactive} forces
     * redrawing in place (true) or plain lines (false); null detects a terminal.
     */
    public Trainer<B> progress(PrintStream out, Boolean interactive) {
        this.progressOut = out;
        this.interactive = interactive;
        return this;
    }

    public Trainer<B> listener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /** Asks the run to stop after the current optimizer step (safe from any thread). */
    public void cancel() {
        cancelRequested = true;
    }

    public boolean isCancelled() {
        return cancelRequested;
    }

    /** Optimizer steps completed. */
    public long step() {
        return step;
    }

    // ------------------------------------------------------------------------------------------------ resume

    /**
     * Continues from the newest complete checkpoint of the configured manager, if there is one.
     *
     * @return the step resumed at, or empty when there is no checkpoint (a fresh run)
     */
    public OptionalLong resume() {
        if (checkpoints == null) {
            throw new IllegalStateException("resume needs checkpoints(...) to be configured first");
        }
        var latest = checkpoints.latest();
        if (latest.isEmpty()) {
            return OptionalLong.empty();
        }
        resumeFrom(latest.get());
        return OptionalLong.of(step);
    }

    /**
     * Loads a checkpoint (parameters, optimizer moments, data position, RNG states, history) so that {@link #run()}
     * continues exactly where it was written.
     *
     * @throws CheckpointException if it does not fit this model, data or task
     */
    public void resumeFrom(CheckpointManager.Checkpoint c) {
        if (running) {
            throw new IllegalStateException("cannot resume while running");
        }
        ModelLayout model = layout != null ? layout : ModelLayout.of(parameters);
        ObjectNode state = CheckpointManager.load(c, model, optimizer);
        String where = c.file(CheckpointManager.STATE_FILE).toString();
        try {
            data.restore(state.path("data_position"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + ": the data position does not fit the data: " + e.getMessage(), e);
        }
        JsonNode rngStates = state.path("rng");
        for (Map.Entry<String, Rng> rng : task.rngs().entrySet()) {
            JsonNode saved = rngStates.path(rng.getKey());
            if (!saved.isTextual()) {
                throw new CheckpointException(where + ": no state for the task's random generator '" + rng.getKey() + "'");
            }
            try {
                rng.getValue().restoreState(saved.asText());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(where + ": random generator '" + rng.getKey() + "': " + e.getMessage(), e);
            }
        }
        step = state.path("step").asLong();
        tokensSeen = state.path("tokens_seen").asLong();
        elapsedBefore = state.path("elapsed_seconds").asDouble();
        lastCheckpointStep = step;
        lastCheckpoint = c.directory();

        JsonNode interval = state.path("interval");
        intervalSteps = interval.path("steps").asInt();
        intervalLoss = interval.path("loss_sum").asDouble();
        intervalGradNorm = interval.path("grad_norm_sum").asDouble();
        intervalTokens = interval.path("tokens").asLong();
        intervalMetrics.clear();
        for (Iterator<Map.Entry<String, JsonNode>> it = interval.path("metric_sums").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            intervalMetrics.put(m.getKey(), m.getValue().asDouble());
        }

        resumedHistory = state.path("history");
        lastEvalStep = -1;
        lastEvaluation = Map.of();
        for (JsonNode e : resumedHistory) {
            if ("eval".equals(e.path("split").asText())) {
                lastEvalStep = e.path("step").asLong();
                lastEvaluation = toMap(e.path("metrics"));
            }
        }

        List<String> differences = new ArrayList<>();
        if (!schedule.toJson().equals(state.path("schedule"))) {
            differences.add("learning-rate schedule " + state.path("schedule") + " -> " + schedule.toJson());
        }
        JsonNode saved = state.path("options");
        if (saved.path("accumulation_steps").asInt() != options.accumulationSteps()) {
            differences.add("accumulation steps " + saved.path("accumulation_steps") + " -> " + options.accumulationSteps());
        }
        if (saved.path("total_steps").asLong() != options.totalSteps()) {
            differences.add("total steps " + saved.path("total_steps") + " -> " + options.totalSteps());
        }
        if (saved.path("seed").asLong() != options.seed()) {
            differences.add("seed " + saved.path("seed") + " -> " + options.seed());
        }
        ProgressLine p = progressLine();
        if (p != null) {
            p.message("resumed from " + c.directory() + " at step " + step);
            if (!differences.isEmpty()) {
                p.message("note: the run continues with different settings than the checkpoint's: "
                        + String.join("; ", differences));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- the loop

    /**
     * Trains up to {@link TrainerOptions#totalSteps()} (or until cancelled), then evaluates and checkpoints once
     * more if the last step was not already covered.
     *
     * @throws TrainingException on a non-finite loss or gradient, {@link CheckpointException} when a checkpoint
     *                           cannot be written (the previous one stays intact); listeners see FAILED first
     */
    public TrainingResult run() {
        if (running) {
            throw new IllegalStateException("this trainer is already running");
        }
        running = true;
        ProgressLine progress = progressLine();
        Path reports = reportDirSet ? reportDir : checkpoints == null ? null : checkpoints.root();
        MetricsLog log = new MetricsLog(reports);
        log.reset(resumedHistory);
        long sessionStart = System.nanoTime();
        long sessionStartStep = step;
        long lastPlot = System.nanoTime();
        double stepSecondsEma = Double.NaN;
        intervalStartNanos = System.nanoTime();
        double lastLoss = Double.NaN;
        TrainingResult.Status status = TrainingResult.Status.COMPLETED;
        int accumulation = options.accumulationSteps();
        float lossScale = 1f / accumulation;
        OffHeapReclaimer reclaimer = OffHeapReclaimer.fromSystemProperties();
        try {
            while (step < options.totalSteps()) {
                if (cancelRequested) {
                    status = TrainingResult.Status.CANCELLED;
                    break;
                }
                long t0 = System.nanoTime();
                zeroGradients();
                double lossSum = 0;
                long tokens = 0;
                Map<String, Double> metricSums = new LinkedHashMap<>();
                for (int micro = 0; micro < accumulation; micro++) {
                    StepResult r = task.trainStep(data.next(), lossScale);
                    if (!Double.isFinite(r.loss())) {
                        throw new TrainingException(String.format(Locale.ROOT,
                                "the loss is %s at step %d (micro-batch %d of %d): training diverged; lower the learning "
                                        + "rate or check the data", r.loss(), step + 1, micro + 1, accumulation));
                    }
                    lossSum += r.loss();
                    tokens += r.tokens();
                    r.metrics().forEach((k, v) -> metricSums.merge(k, v, Double::sum));
                }
                double gradNorm = options.maxGradNorm() > 0
                        ? GradientClipping.clipByGlobalNorm(parameters, options.maxGradNorm())
                        : GradientClipping.globalNorm(parameters);
                if (!Double.isFinite(gradNorm)) {
                    throw new TrainingException("the gradient norm is " + gradNorm + " at step " + (step + 1)
                            + ": training diverged; lower the learning rate or check the data");
                }
                double lr = schedule.at(step);
                optimizer.step(lr);
                reclaimer.afterStep();
                step++;
                tokensSeen += tokens;

                double loss = lossSum / accumulation;
                lastLoss = loss;
                Map<String, Double> metrics = new LinkedHashMap<>();
                metricSums.forEach((k, v) -> metrics.put(k, v / accumulation));
                intervalSteps++;
                intervalLoss += loss;
                intervalGradNorm += gradNorm;
                intervalTokens += tokens;
                metrics.forEach((k, v) -> intervalMetrics.merge(k, v, Double::sum));

                long now = System.nanoTime();
                double stepSeconds = (now - t0) / 1e9;
                stepSecondsEma = Double.isNaN(stepSecondsEma) ? stepSeconds : 0.9 * stepSecondsEma + 0.1 * stepSeconds;
                double elapsed = elapsedBefore + (now - sessionStart) / 1e9;
                double eta = (options.totalSteps() - step) * stepSecondsEma;
                StepReport report = new StepReport(step, options.totalSteps(), lr, loss, Map.copyOf(metrics), gradNorm,
                        tokens, tokens / Math.max(stepSeconds, 1e-9), elapsed, eta);

                boolean logPoint = step % options.logEvery() == 0 || step == options.totalSteps();
                Map<String, Double> meanMetrics = new LinkedHashMap<>();
                intervalMetrics.forEach((k, v) -> meanMetrics.put(k, v / intervalSteps));
                if (progress != null) {
                    double intervalSeconds = Math.max((now - intervalStartNanos) / 1e9, 1e-9);
                    progress.update(report, intervalLoss / intervalSteps, meanMetrics, intervalTokens / intervalSeconds,
                            logPoint);
                }
                if (logPoint) {
                    log.append(trainEntry(lr, elapsed, now));
                    if (now - lastPlot > PLOT_INTERVAL_NANOS) {
                        writePlots(log, progress);
                        lastPlot = now;
                    }
                }
                for (TrainingListener l : listeners) {
                    notify(l, () -> l.onStep(report), progress);
                }
                if (evaluator != null && options.evalEvery() > 0 && step % options.evalEvery() == 0) {
                    evaluate(log, progress, elapsed);
                    writePlots(log, progress);
                    lastPlot = System.nanoTime();
                }
                if (checkpoints != null && options.checkpointEvery() > 0 && step % options.checkpointEvery() == 0) {
                    saveCheckpoint(log, progress, elapsedBefore + (System.nanoTime() - sessionStart) / 1e9);
                    writePlots(log, progress);
                    lastPlot = System.nanoTime();
                }
            }
            double elapsed = elapsedBefore + (System.nanoTime() - sessionStart) / 1e9;
            if (status == TrainingResult.Status.COMPLETED) {
                if (evaluator != null && lastEvalStep != step) {
                    evaluate(log, progress, elapsed);
                }
                if (checkpoints != null && lastCheckpointStep != step) {
                    saveCheckpoint(log, progress, elapsed);
                }
            } else if (checkpoints != null && options.saveOnCancel() && lastCheckpointStep != step) {
                saveCheckpoint(log, progress, elapsed);
            }
            writePlots(log, progress);
            if (progress != null) {
                progress.finish();
                double sessionSeconds = (System.nanoTime() - sessionStart) / 1e9;
                progress.message(String.format(Locale.ROOT, "%s at step %d/%d: %d steps in %s this session",
                        status == TrainingResult.Status.COMPLETED ? "finished" : "cancelled", step, options.totalSteps(),
                        step - sessionStartStep, ProgressLine.duration(sessionSeconds)));
            }
            TrainingResult result = new TrainingResult(status, step, options.totalSteps(), lastLoss, lastEvaluation,
                    lastCheckpoint, null);
            for (TrainingListener l : listeners) {
                notify(l, () -> l.onFinish(result), progress);
            }
            return result;
        } catch (RuntimeException e) {
            try {
                log.writePlots();
            } catch (IOException | RuntimeException ignored) {
                // the failure itself is what matters
            }
            if (progress != null) {
                progress.finish();
                progress.message("training failed at step " + step + ": " + e.getMessage());
            }
            TrainingResult result = new TrainingResult(TrainingResult.Status.FAILED, step, options.totalSteps(), lastLoss,
                    lastEvaluation, lastCheckpoint, String.valueOf(e.getMessage()));
            for (TrainingListener l : listeners) {
                notify(l, () -> l.onFinish(result), progress);
            }
            throw e;
        } finally {
            running = false;
        }
    }

    private ProgressLine progressLine() {
        if (progressOut == null) {
            return null;
        }
        boolean tty = interactive != null ? interactive : ProgressLine.terminalAttached();
        return new ProgressLine(progressOut, tty);
    }

    private void zeroGradients() {
        for (Parameter p : parameters) {
            if (p.trainable() && p.hasGrad()) {
                p.grad().assign(0);
            }
        }
    }

    private ObjectNode trainEntry(double lr, double elapsed, long now) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("split", "train");
        e.put("step", step);
        e.put("lr", lr);
        e.put("loss", intervalLoss / intervalSteps);
        ObjectNode m = e.putObject("metrics");
        intervalMetrics.forEach((k, v) -> m.put(k, v / intervalSteps));
        e.put("grad_norm", intervalGradNorm / intervalSteps);
        e.put("steps", intervalSteps);
        e.put("tokens", intervalTokens);
        e.put("tokens_per_second", intervalTokens / Math.max((now - intervalStartNanos) / 1e9, 1e-9));
        e.put("elapsed_seconds", elapsed);
        intervalSteps = 0;
        intervalLoss = 0;
        intervalGradNorm = 0;
        intervalTokens = 0;
        intervalMetrics.clear();
        intervalStartNanos = now;
        return e;
    }

    private void evaluate(MetricsLog log, ProgressLine progress, double elapsed) {
        Map<String, Double> results = new LinkedHashMap<>(evaluator.evaluate(step));
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("split", "eval");
        e.put("step", step);
        ObjectNode m = e.putObject("metrics");
        results.forEach(m::put);
        e.put("elapsed_seconds", elapsed);
        log.append(e);
        lastEvalStep = step;
        lastEvaluation = Collections.unmodifiableMap(results);
        if (progress != null) {
            StringBuilder text = new StringBuilder("evaluation at step " + step + ":");
            results.forEach((k, v) -> text.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
            progress.message(text.toString());
        }
        for (TrainingListener l : listeners) {
            notify(l, () -> l.onEvaluation(step, lastEvaluation), progress);
        }
    }

    private void saveCheckpoint(MetricsLog log, ProgressLine progress, double elapsed) {
        long t0 = System.nanoTime();
        ModelLayout model = layout != null ? layout : ModelLayout.of(parameters);
        CheckpointManager.Checkpoint c = checkpoints.save(step, model, optimizer, trainerState(log, elapsed));
        lastCheckpointStep = step;
        lastCheckpoint = c.directory();
        if (progress != null) {
            progress.message(String.format(Locale.ROOT, "wrote %s (%.1f s)", c.directory(), (System.nanoTime() - t0) / 1e9));
        }
        for (TrainingListener l : listeners) {
            notify(l, () -> l.onCheckpoint(c.step(), c.directory()), progress);
        }
    }

    private ObjectNode trainerState(MetricsLog log, double elapsed) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("step", step);
        s.put("total_steps", options.totalSteps());
        s.put("seed", options.seed());
        s.set("options", options.toJson());
        ObjectNode opt = s.putObject("optimizer");
        AdamW.Options o = optimizer.options();
        opt.put("variant", o.variant().name());
        opt.put("beta1", o.beta1());
        opt.put("beta2", o.beta2());
        opt.put("epsilon", o.epsilon());
        opt.put("weight_decay", o.weightDecay());
        opt.put("step", optimizer.stepCount());
        s.set("schedule", schedule.toJson());
        s.set("data_position", data.position());
        ObjectNode rng = s.putObject("rng");
        task.rngs().forEach((name, r) -> rng.put(name, r.saveState()));
        s.put("tokens_seen", tokensSeen);
        s.put("elapsed_seconds", elapsed);
        ObjectNode interval = s.putObject("interval");
        interval.put("steps", intervalSteps);
        interval.put("loss_sum", intervalLoss);
        interval.put("grad_norm_sum", intervalGradNorm);
        interval.put("tokens", intervalTokens);
        ObjectNode sums = interval.putObject("metric_sums");
        intervalMetrics.forEach(sums::put);
        s.set("history", log.toJson());
        return s;
    }

    private static void writePlots(MetricsLog log, ProgressLine progress) {
        try {
            log.writePlots();
        } catch (IOException | RuntimeException e) {
            if (progress != null) {
                progress.message("could not write the loss pictures: " + e.getMessage());
            }
        }
    }

    private void notify(TrainingListener l, Runnable call, ProgressLine progress) {
        try {
            call.run();
        } catch (RuntimeException e) {
            if (failedListeners.add(l) && progress != null) {
                progress.message("a training listener failed (training goes on): " + e);
            }
        }
    }

    private static Map<String, Double> toMap(JsonNode o) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            m.put(e.getKey(), e.getValue().asDouble());
        }
        return Collections.unmodifiableMap(m);
    }
}
