package dev.bertj.core.pretrain;

import dev.bertj.core.hub.ModelRegistry;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.pretrain.data.PretrainingBatch;
import dev.bertj.core.pretrain.data.PretrainingDataGenerator;
import dev.bertj.core.pretrain.data.PretrainingDataSource;
import dev.bertj.core.pretrain.data.PretrainingOptions;
import dev.bertj.core.pretrain.data.TrainingInstance;
import dev.bertj.core.pretrain.data.WordPieceIds;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import dev.bertj.core.tokenizer.WordPieceTrainer;
import dev.bertj.core.train.AdamW;
import dev.bertj.core.train.CheckpointManager;
import dev.bertj.core.train.LearningRateSchedule;
import dev.bertj.core.train.ModelLayout;
import dev.bertj.core.train.Trainer;
import dev.bertj.core.train.TrainerOptions;
import dev.bertj.core.train.TrainingResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code ./bert pretrain}: pre-trains BERT (or continues pre-training one) on a corpus in Google's format (one
 * sentence per line, blank lines between documents) with both of BERT's tasks, as google-research/bert's
 * {@code run_pretraining.py} does: AdamW without bias correction (eps 1e-6, weight decay 0.01, none on biases and
 * LayerNorm; or PyTorch's AdamW on request), linear warm-up then linear decay, clipping at global norm 1.0.
 *
 * <p>Layout of {@code out}: {@code checkpoints/checkpoint-N/} (each a complete model directory plus optimizer and
 * trainer state), {@code checkpoints/metrics.jsonl} and the loss pictures beside them, and, when the run ends, the
 * model itself in {@code out} ({@code config.json}, {@code vocab.txt}, {@code model.safetensors} with
 * {@code BertForPreTraining}'s tensor names).
 */
public final class Pretraining {

    /** Instances of held-out data used for evaluation at most (the first ones, fixed seed). */
    public static final int DEFAULT_EVAL_INSTANCES = 2048;

    /**
     * What to pre-train and how.
     *
     * @param corpus          corpus files (Google's pre-training text format)
     * @param evalCorpus      held-out corpus file or directory, or null
     * @param out             output directory
     * @param config          a preset (tiny, mini, small, medium, base, large) or a config.json path; null with
     *                        {@code from}
     * @param from            a model directory or known name to continue from; null to start from scratch
     * @param vocab           a vocab.txt to use, or null
     * @param trainVocab      train a WordPiece vocabulary of this size on the corpus (0: no)
     * @param lowercase       uncased normalisation for a trained or given vocabulary
     * @param steps           optimizer steps of the whole run
     * @param batch           sequences per step
     * @param seqLen          max_seq_length
     * @param maxPredictions  max_predictions_per_seq
     * @param learningRate    peak learning rate
     * @param warmupSteps     linear warm-up steps
     * @param seed            seed of the model initialisation, the data and dropout
     * @param checkpointEvery steps between checkpoints
     * @param evalEvery       steps between evaluations (0: at the end only)
     * @param evalInstances   held-out instances to evaluate on
     * @param dupeFactor      create_pretraining_data's dupe_factor
     * @param resume          continue from the newest checkpoint in {@code out}
     * @param logEvery        steps per progress line and metrics-log entry
     * @param shardTokens     the data generator's streaming bound (see {@link PretrainingOptions#shardTokens()})
     * @param adam            {@link AdamW.Variant#BERT} (google-research/bert: no bias correction, eps 1e-6) or
     *                        {@link AdamW.Variant#TORCH} (bias correction, eps 1e-8): BERT's variant takes steps up to
     *                        several times larger in its first thousand or so, which its 10,000 warm-up steps absorb;
     *                        short runs with short warm-up are steadier with TORCH
     */
    public record Settings(List<Path> corpus, Path evalCorpus, Path out, String config, String from, Path vocab,
                           int trainVocab, boolean lowercase, long steps, int batch, int seqLen, int maxPredictions,
                           double learningRate, long warmupSteps, long seed, long checkpointEvery, long evalEvery,
                           int evalInstances, int dupeFactor, boolean resume, int logEvery, AdamW.Variant adam,
                           int shardTokens) {

        /** Settings with the default shard size ({@link PretrainingOptions#DEFAULT_SHARD_TOKENS}). */
        public Settings(List<Path> corpus, Path evalCorpus, Path out, String config, String from, Path vocab,
                        int trainVocab, boolean lowercase, long steps, int batch, int seqLen, int maxPredictions,
                        double learningRate, long warmupSteps, long seed, long checkpointEvery, long evalEvery,
                        int evalInstances, int dupeFactor, boolean resume, int logEvery, AdamW.Variant adam) {
            this(corpus, evalCorpus, out, config, from, vocab, trainVocab, lowercase, steps, batch, seqLen,
                    maxPredictions, learningRate, warmupSteps, seed, checkpointEvery, evalEvery, evalInstances,
                    dupeFactor, resume, logEvery, adam, PretrainingOptions.DEFAULT_SHARD_TOKENS);
        }

        public Settings {
            if (corpus == null || corpus.isEmpty()) {
                throw new IllegalArgumentException("no corpus files");
            }
            if ((config == null) == (from == null)) {
                throw new IllegalArgumentException("give either --config (pre-train from scratch) or --from (continue "
                        + "pre-training a model)");
            }
            if (from == null && (vocab == null) == (trainVocab <= 0)) {
                throw new IllegalArgumentException("from scratch, give either --vocab or --train-vocab");
            }
            if (from != null && (vocab != null || trainVocab > 0)) {
                throw new IllegalArgumentException("--from uses the model's own vocabulary: drop --vocab/--train-vocab");
            }
            if (steps < 1 || batch < 1 || maxPredictions < 1 || checkpointEvery < 0 || evalEvery < 0 || warmupSteps < 0
                    || evalInstances < 1 || logEvery < 1) {
                throw new IllegalArgumentException("steps, batch and max predictions must be positive; checkpoint, "
                        + "evaluation and warm-up intervals must not be negative");
            }
            if (shardTokens < 1) {
                throw new IllegalArgumentException("--shard-tokens must be positive, got " + shardTokens);
            }
            if (adam == null) {
                throw new IllegalArgumentException("no optimizer variant");
            }
            if (warmupSteps > steps) {
                throw new IllegalArgumentException("warm-up (" + warmupSteps + " steps) is longer than the run (" + steps
                        + " steps)");
            }
        }
    }

    private Pretraining() {
    }

    /**
     * Runs (or resumes) pre-training and writes the model into {@code out} when the run completes or is cancelled.
     *
     * @param onStart called with the trainer before it starts (e.g. to cancel it from elsewhere); may be null
     */
    public static TrainingResult run(Settings s, PrintStream progress, Consumer<Trainer<PretrainingBatch>> onStart)
            throws IOException {
        Files.createDirectories(s.out());
        Path checkpointDir = s.out().resolve("checkpoints");
        if (!s.resume() && Files.isDirectory(checkpointDir)) {
            try (var listing = Files.list(checkpointDir)) {
                if (listing.anyMatch(p -> p.getFileName().toString().startsWith("checkpoint-"))) {
                    throw new IllegalArgumentException(s.out() + " already holds checkpoints: pass --resume to continue "
                            + "that run, or choose another --out");
                }
            }
        }

        WordPieceTokenizer tokenizer;
        PretrainingModel model;
        if (s.from() != null) {
            Path dir = ModelRegistry.defaults().resolve(s.from());
            tokenizer = WordPieceTokenizer.load(dir);
            model = PretrainingModel.load(dir, s.seed());
            say(progress, "continuing pre-training of " + dir);
        } else {
            tokenizer = WordPieceTokenizer.of(vocabulary(s, progress), normalization(s));
            int vocabSize = tokenizer.vocabulary().size();
            BertConfig config = config(s.config(), vocabSize);
            if (s.vocab() == null && config.vocabSize() != vocabSize) {
                // A small corpus can yield fewer pieces than asked for; rows beyond the vocabulary would only be
                // output classes that never occur.
                say(progress, "vocab_size " + config.vocabSize() + " -> " + vocabSize + ", the size of the trained vocabulary");
                config = config.withVocabSize(vocabSize);
            }
            model = PretrainingModel.fromScratch(config, s.seed());
        }
        BertConfig config = model.config();
        if (tokenizer.vocabulary().size() > config.vocabSize()) {
            throw new IllegalArgumentException("the vocabulary has " + tokenizer.vocabulary().size()
                    + " tokens but the config's vocab_size is " + config.vocabSize());
        }
        if (s.seqLen() > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("--seq " + s.seqLen() + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        say(progress, String.format(Locale.ROOT, "model: %d layers, hidden %d, %d heads, intermediate %d, vocab %d "
                        + "(%.1fM parameters)", config.numHiddenLayers(), config.hiddenSize(), config.numAttentionHeads(),
                config.intermediateSize(), config.vocabSize(), parameterCount(model) / 1e6));

        WordPieceIds ids = WordPieceIds.of(tokenizer);
        PretrainingOptions data = PretrainingOptions.defaults().withMaxSeqLength(s.seqLen())
                .withMaxPredictionsPerSeq(s.maxPredictions()).withDupeFactor(s.dupeFactor()).withSeed(s.seed())
                .withShardTokens(s.shardTokens());
        List<TrainingInstance> heldOut = s.evalCorpus() == null ? List.of()
                : evaluationInstances(s.evalCorpus(), ids, data, s.evalInstances());
        if (s.evalCorpus() != null) {
            say(progress, "evaluating on " + heldOut.size() + " held-out instances from " + s.evalCorpus());
        }

        PretrainingTask task = new PretrainingTask(model, Rng.forStream(s.seed(), 3));
        AdamW optimizer = new AdamW(task.parameters(), s.adam() == AdamW.Variant.TORCH ? AdamW.Options.torch(0.01)
                : AdamW.Options.bert(0.01));
        LearningRateSchedule schedule = LearningRateSchedule.bertWarmupDecay(s.learningRate(), s.warmupSteps(),
                s.steps());
        TrainerOptions.Builder options = TrainerOptions.builder(s.steps()).seed(s.seed()).maxGradNorm(1.0).logEvery(s.logEvery())
                .checkpointEvery(s.checkpointEvery());
        if (!heldOut.isEmpty() && s.evalEvery() > 0) {
            options.evalEvery(s.evalEvery());
        }
        try (PretrainingDataSource source = new PretrainingDataSource(s.corpus(), ids, data, s.batch());
             CheckpointManager checkpoints = new CheckpointManager(checkpointDir, 3)) {
            Vocabulary vocabulary = tokenizer.vocabulary();
            ModelLayout layout = ModelLayout.of(task.parameters()).withExtras(dir -> {
                config.write(dir.resolve("config.json"));
                writeVocabulary(vocabulary, tokenizer.options(), dir);
            });
            Trainer<PretrainingBatch> trainer = new Trainer<>(task, source, optimizer, schedule, options.build())
                    .checkpoints(checkpoints, layout)
                    .progress(progress, null);
            if (!heldOut.isEmpty()) {
                PretrainingBatch evalBatch = new PretrainingBatch(s.batch(), s.seqLen(), s.maxPredictions(),
                        vocabulary.padId());
                trainer.evaluator(step -> task.evaluate(batches(heldOut, evalBatch)));
            }
            if (s.resume()) {
                trainer.resume();
            }
            if (onStart != null) {
                onStart.accept(trainer);
            }
            TrainingResult result = trainer.run();
            if (result.status() != TrainingResult.Status.FAILED) {
                model.save(s.out());
                writeVocabulary(vocabulary, tokenizer.options(), s.out());
                say(progress, "wrote the model to " + s.out());
            }
            return result;
        } finally {
            task.close();
            model.close();
        }
    }

    private static long parameterCount(PretrainingModel model) {
        return model.parameters().stream().mapToLong(p -> p.size()).sum();
    }

    private static TokenizerOptions normalization(Settings s) {
        return s.lowercase() ? TokenizerOptions.uncased() : TokenizerOptions.cased();
    }

    /** The given vocabulary, or one trained on the corpus (kept in {@code out/vocab.txt}, reused on resume). */
    private static Vocabulary vocabulary(Settings s, PrintStream progress) throws IOException {
        if (s.vocab() != null) {
            return Vocabulary.read(s.vocab());
        }
        Path saved = s.out().resolve("vocab.txt");
        if (s.resume() && Files.isRegularFile(saved)) {
            Vocabulary v = Vocabulary.read(saved);
            // A trained vocabulary can come out smaller than asked for (a small corpus has fewer pieces), never
            // larger: training it again would give the same one.
            if (v.size() <= s.trainVocab()) {
                say(progress, "using the vocabulary trained before: " + saved);
                return v;
            }
        }
        long t0 = System.nanoTime();
        Vocabulary v = new WordPieceTrainer(s.trainVocab(), normalization(s)).trainFiles(s.corpus());
        v.write(saved);
        say(progress, String.format(Locale.ROOT, "trained a WordPiece vocabulary of %d tokens in %.1f s: %s", v.size(),
                (System.nanoTime() - t0) / 1e9, saved));
        return v;
    }

    /** A preset by name or a config.json; a preset's vocab_size is the vocabulary's. */
    static BertConfig config(String nameOrPath, int vocabSize) {
        Path p = Path.of(nameOrPath);
        if (Files.isRegularFile(p)) {
            return BertConfig.read(p);
        }
        return BertConfig.preset(nameOrPath, vocabSize);
    }

    private static void writeVocabulary(Vocabulary vocabulary, TokenizerOptions options, Path dir) throws IOException {
        vocabulary.write(dir.resolve("vocab.txt"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\n  \"tokenizer_class\": \"BertTokenizer\",\n"
                + "  \"do_lower_case\": " + options.lowercase() + "\n}\n");
    }

    /** The first {@code max} instances of one pass over the held-out corpus (dupe factor 1, a fixed seed). */
    static List<TrainingInstance> evaluationInstances(Path corpus, WordPieceIds ids, PretrainingOptions data, int max)
            throws IOException {
        PretrainingOptions once = data.withDupeFactor(1).withEpochs(1).withSeed(12345);
        List<TrainingInstance> out = new ArrayList<>();
        try (PretrainingDataGenerator g = PretrainingDataGenerator.open(PretrainingDataGenerator.inputFiles(corpus),
                ids, once)) {
            TrainingInstance i;
            while (out.size() < max && (i = g.next()) != null) {
                out.add(i);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(corpus + ": no pre-training instances in the evaluation corpus");
        }
        return out;
    }

    /** The instances as consecutive batches, refilling {@code batch} (one batch at a time). */
    static Iterable<PretrainingBatch> batches(List<TrainingInstance> instances, PretrainingBatch batch) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < instances.size();
            }

            @Override
            public PretrainingBatch next() {
                batch.clear();
                while (batch.size() < batch.batchSize && next < instances.size()) {
                    batch.add(instances.get(next++));
                }
                return batch;
            }
        };
    }

    private static void say(PrintStream progress, String message) {
        if (progress != null) {
            progress.println(message);
        }
    }

    /** The checkpoint directory of a run's output. */
    public static Path checkpoints(Path out) {
        return out.resolve("checkpoints");
    }
}
