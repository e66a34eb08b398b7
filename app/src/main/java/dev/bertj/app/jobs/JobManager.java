package dev.bertj.app.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.app.config.ServiceConfig;
import dev.bertj.app.metrics.ServiceMetrics;
import dev.bertj.app.model.ModelLocator;
import dev.bertj.app.model.ModelStore;
import dev.bertj.app.model.SafeNames;
import dev.bertj.app.plugin.HeadPlugins;
import dev.bertj.app.problem.ProblemException;
import dev.bertj.core.head.FineTuneOptions;
import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.io.AtomicFile;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.pretrain.Pretraining;
import dev.bertj.core.pretrain.data.PretrainingDataGenerator;
import dev.bertj.core.train.AdamW;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import dev.bertj.core.train.StepReport;
import dev.bertj.core.train.Trainer;
import dev.bertj.core.train.TrainingListener;
import dev.bertj.core.train.TrainingResult;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Fine-tuning jobs: checked and accepted at once, run in order on a small pool, their state written to
 * {@code <jobs>/<id>/job.json} at every change so that a restarted service finds them. A job the restart
 * interrupted resumes from its last checkpoint (the trainer's checkpoints live in the output model directory), or is
 * marked failed with that reason. Progress goes to listeners as events (the SSE stream) and to the metrics.
 */
@Singleton
public class JobManager {

    private static final Logger LOG = Logger.getLogger(JobManager.class);
    private static final String RECORD = "job.json";
    /** Events a late SSE subscriber is replayed. */
    private static final int HISTORY = 200;
    private static final long PERSIST_EVERY_NANOS = 1_000_000_000L;

    private final ServiceConfig config;
    private final HeadPlugins plugins;
    private final ModelLocator locator;
    private final ModelStore store;
    private final ServiceMetrics metrics;
    private final ObjectMapper json;
    private final Path jobsDir;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final SecureRandom random = new SecureRandom();

    /** One job in memory. */
    final class Job {
        volatile JobRecord record;
        volatile Trainer<?> trainer;
        volatile boolean cancelRequested;
        volatile Future<?> future;
        final ArrayDeque<JobEvent> history = new ArrayDeque<>();
        final List<Consumer<JobEvent>> subscribers = new CopyOnWriteArrayList<>();
        final AtomicLong eventIds = new AtomicLong();
        long lastPersist;

        Job(JobRecord record) {
            this.record = record;
        }

        Path dir() {
            return jobsDir.resolve(record.id());
        }

        synchronized void emit(String name, Object data) {
            JobEvent e = new JobEvent(eventIds.incrementAndGet(), name, data);
            history.addLast(e);
            if (history.size() > HISTORY) {
                history.removeFirst();
            }
            for (Consumer<JobEvent> s : subscribers) {
                try {
                    s.accept(e);
                } catch (RuntimeException ex) {
                    subscribers.remove(s);
                }
            }
        }

        /**
         * Replays the events so far to {@code s} and subscribes it to the next ones, in order (emitting waits for
         * this). Returns whether the job is still going (false: everything was replayed, nothing more will come).
         */
        synchronized boolean subscribe(Consumer<JobEvent> s) {
            if (history.isEmpty()) {
                // A job from before a restart has no events in memory: its state is where it is.
                s.accept(new JobEvent(0, "state", record));
            }
            history.forEach(s);
            if (record.state().isFinal()) {
                return false;
            }
            subscribers.add(s);
            return true;
        }

        void update(JobRecord r, boolean persistNow) {
            record = r;
            long now = System.nanoTime();
            if (persistNow || now - lastPersist > PERSIST_EVERY_NANOS) {
                lastPersist = now;
                persist(r);
            }
        }

        /**
         * Under the job's lock, so that a {@link #subscribe} never sees a final record before its state event is in
         * the history (it would end the stream without the event that says how the job ended).
         */
        synchronized void changeState(JobRecord r) {
            update(r, true);
            emit("state", r);
            if (r.state().isFinal()) {
                subscribers.clear();
            }
        }
    }

    @Inject
    public JobManager(ServiceConfig config, HeadPlugins plugins, ModelLocator locator, ModelStore store,
                      ServiceMetrics metrics, ObjectMapper json) {
        this.config = config;
        this.plugins = plugins;
        this.locator = locator;
        this.store = store;
        this.metrics = metrics;
        this.json = json;
        this.jobsDir = config.dirs().jobs().toAbsolutePath().normalize();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, config.jobs().maxConcurrent()), r -> {
            Thread t = new Thread(r, "bertj-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Finds the jobs a previous run left, and resumes (or fails) those it interrupted. */
    void start(@Observes StartupEvent event) throws IOException {
        Files.createDirectories(jobsDir);
        List<JobRecord> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(jobsDir)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                Path file = dir.resolve(RECORD);
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                try {
                    found.add(json.readValue(file.toFile(), JobRecord.class));
                } catch (IOException e) {
                    LOG.warnf("ignoring unreadable job record %s: %s", file, e.getMessage());
                }
            }
        }
        found.sort(Comparator.comparing(JobRecord::created, Comparator.nullsFirst(Comparator.naturalOrder())));
        for (JobRecord r : found) {
            Job job = new Job(r);
            jobs.put(r.id(), job);
            if (r.state().isFinal()) {
                continue;
            }
            if (config.jobs().resumeOnRestart()) {
                job.changeState(r.restarted());
                LOG.infof("job %s was interrupted by a restart; resuming from its last checkpoint", r.id());
                job.future = pool.submit(() -> run(job));
            } else {
                job.changeState(r.finished(JobState.FAILED, Instant.now().toString(),
                        "interrupted by a service restart (bertj.jobs.resume-on-restart=false)"));
            }
        }
    }

    void stop(@Observes ShutdownEvent event) {
        // Running jobs are left as they are on disk (RUNNING): the next start resumes them.
        pool.shutdownNow();
    }

    /**
     * Checks a request and queues its job.
     *
     * @throws ProblemException 400/404/409/422 naming what is wrong, before anything is queued
     */
    public JobRecord submit(JobRequest r) {
        if (r == null) {
            throw ProblemException.badRequest("the request needs a JSON object body");
        }
        String type = r.type() == null ? "finetune" : r.type();
        if (type.equals("pretrain")) {
            return submitPretraining(r);
        }
        if (!type.equals("finetune")) {
            throw ProblemException.unprocessable("field 'type' must be 'finetune' or 'pretrain', got '"
                    + clip(type) + "'");
        }
        if (r.head() == null) {
            throw ProblemException.badRequest("field 'head' is required");
        }
        SafeNames.check("head", r.head());
        if (factories().stream().noneMatch(f -> f.descriptor().id().equals(r.head()))) {
            throw ProblemException.notFound("head", "no active head plugin '" + r.head() + "' to fine-tune");
        }
        String model = r.model() != null ? r.model() : config.models().defaultModel();
        SafeNames.check("model", model);
        locator.locate(model);
        if ((r.train() == null) == (r.trainText() == null)) {
            throw ProblemException.badRequest("give exactly one of 'train' (a file under the data directory) and "
                    + "'train_text' (the data itself)");
        }
        if (r.eval() != null && r.evalText() != null) {
            throw ProblemException.badRequest("give at most one of 'eval' and 'eval_text'");
        }
        checkInline("train_text", r.trainText());
        checkInline("eval_text", r.evalText());
        String id = "job-" + HexFormat.of().formatHex(random.generateSeed(6));
        String out = r.out() != null ? r.out() : model + "-" + r.head() + "-" + id.substring(4);
        SafeNames.check("out", out);
        Path outDir = SafeNames.inside(locator.modelsDir(), "out", out);
        if (Files.exists(outDir) || jobs.values().stream().anyMatch(j -> out.equals(j.record.out())
                && !j.record.state().isFinal())) {
            throw ProblemException.conflict("the output model '" + out + "' exists already or another job writes it; "
                    + "choose another 'out'");
        }
        Path jobDir = jobsDir.resolve(id);
        FineTuneOptions options = options(r, model, jobDir, outDir); // 422 for unusable values, before anything exists
        try {
            Files.createDirectories(jobDir);
            if (r.trainText() != null) {
                Files.writeString(options.train(), r.trainText(), StandardCharsets.UTF_8);
            }
            if (r.evalText() != null) {
                Files.writeString(options.eval(), r.evalText(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the job directory " + jobDir, e);
        }
        JobRecord record = new JobRecord(id, type, JobState.QUEUED, stored(r, model), out, Instant.now().toString(),
                null, null, 0, 0, 0.0, null, null, null, null, null, null, null, 0, null);
        Job job = new Job(record);
        jobs.put(id, job);
        job.changeState(record);
        job.future = pool.submit(() -> run(job));
        return record;
    }

    /** A pre-training job: checked like {@code ./bert pretrain} checks its flags, then queued. */
    private JobRecord submitPretraining(JobRequest r) {
        if (r.head() != null || r.train() != null || r.trainText() != null) {
            throw ProblemException.badRequest("a pretrain job takes 'corpus' or 'corpus_text', not 'head'/'train'");
        }
        if ((r.corpus() == null) == (r.corpusText() == null)) {
            throw ProblemException.badRequest("give exactly one of 'corpus' (a file or directory under the data "
                    + "directory) and 'corpus_text' (the corpus itself)");
        }
        checkInline("corpus_text", r.corpusText());
        if (r.from() != null) {
            SafeNames.check("from", r.from());
            locator.locate(r.from());
        }
        if (r.config() != null && !PRESETS.contains(r.config())) {
            throw ProblemException.unprocessable("field 'config' must be one of " + PRESETS + ", got '"
                    + clip(r.config()) + "'");
        }
        String id = "job-" + HexFormat.of().formatHex(random.generateSeed(6));
        String out = r.out() != null ? r.out()
                : (r.from() != null ? r.from() : "bert-" + r.config()) + "-pretrained-" + id.substring(4);
        SafeNames.check("out", out);
        Path outDir = SafeNames.inside(locator.modelsDir(), "out", out);
        if (Files.exists(outDir) || jobs.values().stream().anyMatch(j -> out.equals(j.record.out())
                && !j.record.state().isFinal())) {
            throw ProblemException.conflict("the output model '" + out + "' exists already or another job writes it; "
                    + "choose another 'out'");
        }
        Path jobDir = jobsDir.resolve(id);
        pretrainingSettings(r, jobDir, outDir); // 422 for unusable values, before anything exists
        try {
            Files.createDirectories(jobDir);
            if (r.corpusText() != null) {
                Files.writeString(jobDir.resolve(CORPUS_FILE), r.corpusText(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the job directory " + jobDir, e);
        }
        JobRecord record = new JobRecord(id, "pretrain", JobState.QUEUED, stored(r, null), out,
                Instant.now().toString(), null, null, 0, 0, 0.0, null, null, null, null, null, null, null, 0, null);
        Job job = new Job(record);
        jobs.put(id, job);
        job.changeState(record);
        job.future = pool.submit(() -> run(job));
        return record;
    }

    static final List<String> PRESETS = List.of("tiny", "mini", "small", "medium", "base", "large");
    static final String CORPUS_FILE = "corpus.txt";

    private Pretraining.Settings pretrainingSettings(JobRequest r, Path jobDir, Path outDir) {
        List<Path> corpus;
        Path evalCorpus = r.evalCorpus() == null ? null : dataPath("eval_corpus", r.evalCorpus());
        try {
            corpus = r.corpus() != null ? PretrainingDataGenerator.inputFiles(dataPath("corpus", r.corpus()))
                    : List.of(jobDir.resolve(CORPUS_FILE));
        } catch (IOException e) {
            throw ProblemException.unprocessable("the corpus cannot be read: " + e.getMessage());
        }
        String from = r.from() == null ? null : locator.locate(r.from()).dir().toString();
        long steps = r.steps() == null ? 0 : r.steps();
        if (steps < 1) {
            throw ProblemException.unprocessable("field 'steps' is required and must be positive");
        }
        long warmup = r.warmupSteps() != null ? r.warmupSteps() : Math.max(1, steps / 100);
        AdamW.Variant adam;
        try {
            adam = r.adam() == null ? AdamW.Variant.BERT : AdamW.Variant.valueOf(r.adam().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.unprocessable("field 'adam' must be BERT or TORCH");
        }
        try {
            return new Pretraining.Settings(corpus, evalCorpus, outDir, r.config(), from,
                    r.vocab() == null ? null : dataPath("vocab", r.vocab()), or(r.trainVocab(), 0),
                    !or(r.cased(), false), steps, or(r.batch(), 32), or(r.seq(), 128), or(r.maxPredictions(), 20),
                    or(r.lr(), 1e-4), warmup, or(r.seed(), 12345L), or(r.checkpointEvery(), 1000L),
                    or(r.evalEvery(), 0L), or(r.evalInstances(), Pretraining.DEFAULT_EVAL_INSTANCES),
                    or(r.dupeFactor(), 10), true, or(r.logEvery(), 10), adam);
        } catch (IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    public Optional<JobRecord> get(String id) {
        Job j = jobs.get(id);
        return j == null ? Optional.empty() : Optional.of(j.record);
    }

    public List<JobRecord> list() {
        return jobs.values().stream().map(j -> j.record)
                .sorted(Comparator.comparing(JobRecord::created, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
    }

    /**
     * Cancels a queued or running job (a running one stops at its next step).
     *
     * @throws ProblemException 404 unknown, 409 already finished
     */
    public JobRecord cancel(String id) {
        Job job = jobs.get(id);
        if (job == null) {
            throw ProblemException.notFound("job", "no job '" + id + "'");
        }
        synchronized (job) {
            JobRecord r = job.record;
            if (r.state().isFinal()) {
                throw ProblemException.conflict("job " + id + " is already " + r.state().name().toLowerCase());
            }
            job.cancelRequested = true;
            Trainer<?> t = job.trainer;
            if (t != null) {
                t.cancel();
            }
            if (r.state() == JobState.QUEUED && job.future != null && job.future.cancel(false)) {
                job.changeState(r.finished(JobState.CANCELLED, Instant.now().toString(), "cancelled before it started"));
            }
            return job.record;
        }
    }

    /**
     * Replays the job's recent events to {@code subscriber} and delivers the next ones until it finishes.
     *
     * @return whether more events will come
     */
    public boolean subscribe(String id, Consumer<JobEvent> subscriber) {
        Job job = jobs.get(id);
        if (job == null) {
            throw ProblemException.notFound("job", "no job '" + id + "'");
        }
        return job.subscribe(subscriber);
    }

    public void unsubscribe(String id, Consumer<JobEvent> subscriber) {
        Job job = jobs.get(id);
        if (job != null) {
            job.subscribers.remove(subscriber);
        }
    }

    // ---- running ---------------------------------------------------------------------------------------------

    private void run(Job job) {
        JobRecord r = job.record;
        if (job.cancelRequested) {
            job.changeState(r.finished(JobState.CANCELLED, Instant.now().toString(), "cancelled before it started"));
            return;
        }
        job.changeState(r.started(r.started() != null ? r.started() : Instant.now().toString()));
        BertModel model = null;
        try (PrintStream log = new PrintStream(Files.newOutputStream(job.dir().resolve("train.log"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true,
                StandardCharsets.UTF_8)) {
            JobRequest req = r.request();
            Path outDir = locator.modelsDir().resolve(r.out());
            if ("pretrain".equals(r.type())) {
                Pretraining.Settings settings = pretrainingSettings(req, job.dir(), outDir);
                TrainingResult result = Pretraining.run(settings, log, trainer -> {
                    trainer.listener(listener(job));
                    started(job, trainer, log);
                });
                finish(job, result);
                return;
            }
            FineTuneOptions options = options(req, req.model(), job.dir(), outDir);
            ModelLocator.Located source = locator.locate(req.model());
            model = BertModel.load(source.dir());
            WordPieceTokenizer tokenizer = WordPieceTokenizer.load(source.dir());
            HeadHost host = new HeadHost(model, tokenizer, source.dir(), factories(), options.seed());
            TrainingResult result = FineTuning.run(host, options, log, List.of(listener(job)),
                    trainer -> started(job, trainer, log));
            finish(job, result);
        } catch (ProblemException e) {
            fail(job, e.getMessage());
        } catch (Exception | OutOfMemoryError e) {
            LOG.errorf(dev.bertj.app.problem.ProblemMappers.withoutMessages(e), "job %s failed", r.id());
            fail(job, e.getMessage() == null ? e.toString() : e.getMessage());
        } finally {
            job.trainer = null;
            if (model != null) {
                model.close();
            }
        }
    }

    /** The trainer is set up (and resumed from its newest checkpoint, if any): note where, and honour a cancel. */
    private void started(Job job, Trainer<?> trainer, PrintStream log) {
        job.trainer = trainer;
        if (trainer.step() > 0) {
            log.println("bertj: job " + job.record.id() + " resumed from its checkpoint at step " + trainer.step());
            job.changeState(job.record.resumedFrom(trainer.step()));
        }
        if (job.cancelRequested) {
            trainer.cancel();
        }
    }

    private void finish(Job job, TrainingResult result) {
        String now = Instant.now().toString();
        switch (result.status()) {
            case COMPLETED -> {
                String note = null;
                if (job.record.request().serve() == null || job.record.request().serve()) {
                    try {
                        store.load(job.record.out());
                    } catch (RuntimeException e) {
                        note = "trained, but serving the result failed: " + e.getMessage();
                    }
                }
                metrics.jobProgress(job.record.id(), 1.0);
                job.changeState(job.record.finished(JobState.SUCCEEDED, now, note));
            }
            case CANCELLED -> job.changeState(job.record.finished(JobState.CANCELLED, now, "cancelled"));
            case FAILED -> fail(job, result.failure());
        }
    }

    private void fail(Job job, String reason) {
        job.changeState(job.record.finished(JobState.FAILED, Instant.now().toString(), reason));
    }

    private TrainingListener listener(Job job) {
        return new TrainingListener() {
            long lastEvent;

            @Override
            public void onStep(StepReport s) {
                job.update(job.record.progressed(s.step(), s.totalSteps(), s.loss(), s.metrics(), s.tokensPerSecond(),
                        s.etaSeconds()), false);
                metrics.jobProgress(job.record.id(), s.totalSteps() > 0 ? (double) s.step() / s.totalSteps() : 0);
                long now = System.nanoTime();
                if (now - lastEvent > 200_000_000L || s.step() == s.totalSteps()) {
                    lastEvent = now;
                    Map<String, Object> e = new java.util.LinkedHashMap<>();
                    e.put("step", s.step());
                    e.put("total_steps", s.totalSteps());
                    e.put("loss", s.loss());
                    e.put("learning_rate", s.learningRate());
                    e.put("metrics", s.metrics());
                    e.put("grad_norm", s.gradNorm());
                    e.put("tokens_per_second", s.tokensPerSecond());
                    e.put("elapsed_seconds", s.elapsedSeconds());
                    e.put("eta_seconds", s.etaSeconds());
                    job.emit("step", e);
                }
            }

            @Override
            public void onEvaluation(long step, Map<String, Double> results) {
                job.update(job.record.evaluated(results), true);
                job.emit("evaluation", Map.of("step", step, "results", results));
            }

            @Override
            public void onCheckpoint(long step, Path directory) {
                job.update(job.record.checkpointed(step), true);
                job.emit("checkpoint", Map.of("step", step));
            }
        };
    }

    // ---- requests into options ------------------------------------------------------------------------------

    /** Inline data lives in the job directory under this name; its extension tells the head the format. */
    private static String inlineName(String given, String kind) {
        return SafeNames.check(kind + "_name", given == null ? kind + ".jsonl" : given);
    }

    private FineTuneOptions options(JobRequest r, String model, Path jobDir, Path outDir) {
        Path train = r.train() == null ? jobDir.resolve(inlineName(r.trainName(), "train")) : dataFile("train", r.train());
        Path eval = r.eval() != null ? dataFile("eval", r.eval())
                : r.evalText() != null || r.evalName() != null ? jobDir.resolve(inlineName(r.evalName(), "eval")) : null;
        FineTuneOptions d = FineTuneOptions.defaults(r.head(), train, outDir);
        try {
            return new FineTuneOptions(r.head(), train, eval, outDir, or(r.epochs(), d.epochs()),
                    or(r.maxSteps(), d.maxSteps()), or(r.lr(), d.learningRate()), or(r.batch(), d.batchSize()),
                    or(r.accumulation(), d.accumulationSteps()), or(r.maxLength(), d.maxLength()),
                    or(r.freezeEncoder(), d.freezeEncoder()), or(r.warmup(), d.warmupFraction()),
                    or(r.weightDecay(), d.weightDecay()), or(r.seed(), d.seed()),
                    or(r.checkpointEvery(), d.checkpointEvery()), or(r.evalEvery(), d.evalEvery()),
                    or(r.maxTrain(), d.maxTrainExamples()), or(r.maxEval(), d.maxEvalExamples()), r.options(),
                    or(r.bucketByLength(), d.bucketByLength()));
        } catch (IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    /** The options' messages name the CLI flag; the JSON field is its snake_case twin. */
    private static ProblemException unusable(IllegalArgumentException e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("--([a-z-]+)").matcher(String.valueOf(e.getMessage()));
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, "field '" + m.group(1).replace('-', '_') + "'");
        }
        m.appendTail(b);
        return ProblemException.unprocessable(b.toString());
    }

    /** A file or directory named relative to the data directory, each path segment a plain name. */
    private Path dataPath(String field, String relative) {
        Path dataDir = config.dirs().data().toAbsolutePath().normalize();
        Path p = dataDir;
        for (String part : relative.split("/", -1)) {
            p = SafeNames.inside(p, "field '" + field + "'", part);
        }
        if (!Files.exists(p)) {
            throw ProblemException.notFound("data", "no '" + clip(relative) + "' under the data directory "
                    + "(bertj.dirs.data)");
        }
        return p;
    }

    /** A training file named relative to the data directory, each path segment a plain name. */
    private Path dataFile(String field, String relative) {
        Path dataDir = config.dirs().data().toAbsolutePath().normalize();
        String[] parts = relative.split("/", -1);
        Path p = dataDir;
        for (String part : parts) {
            p = SafeNames.inside(p, "field '" + field + "'", part);
        }
        if (!Files.isRegularFile(p)) {
            throw ProblemException.notFound("data", "no file '" + clip(relative) + "' under the data directory "
                    + "(bertj.dirs.data)");
        }
        return p;
    }

    private void checkInline(String field, String text) {
        if (text != null && text.length() > config.jobs().maxInlineDataChars()) {
            throw ProblemException.tooLarge("field '" + field + "' is " + text.length() + " characters; at most "
                    + config.jobs().maxInlineDataChars() + " (bertj.jobs.max-inline-data-chars)");
        }
    }

    private Collection<HeadFactory> factories() {
        List<HeadFactory> all = new ArrayList<>();
        plugins.active().values().forEach(all::addAll);
        return all;
    }

    /**
     * The request as the job keeps it: the model named, and inline data replaced by the name of the file it was
     * written to in the job directory (the record stays small, and holds no training text).
     */
    private static JobRequest stored(JobRequest r, String model) {
        String trainName = r.trainText() != null ? inlineName(r.trainName(), "train") : null;
        String evalName = r.evalText() != null ? inlineName(r.evalName(), "eval") : null;
        boolean pretrain = "pretrain".equals(r.type());
        return new JobRequest(r.type(), r.head(), pretrain ? null : model, r.train(), r.eval(), null, trainName, null,
                evalName, r.out(), r.epochs(), r.maxSteps(), r.lr(), r.batch(), r.accumulation(), r.maxLength(),
                r.freezeEncoder(), r.warmup(), r.weightDecay(), r.seed(), r.checkpointEvery(), r.evalEvery(),
                r.maxTrain(), r.maxEval(), r.bucketByLength(), r.options(), r.serve(), r.corpus(), null, r.evalCorpus(), r.config(),
                r.from(), r.vocab(), r.trainVocab(), r.cased(), r.steps(), r.seq(), r.maxPredictions(), r.warmupSteps(),
                r.evalInstances(), r.dupeFactor(), r.logEvery(), r.adam());
    }

    private void persist(JobRecord r) {
        Path dir = jobsDir.resolve(r.id());
        try {
            AtomicFile.write(dir.resolve(RECORD), out -> json.writerWithDefaultPrettyPrinter().writeValue(out, r));
        } catch (IOException e) {
            LOG.errorf("cannot write the state of job %s: %s", r.id(), e.getMessage());
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
