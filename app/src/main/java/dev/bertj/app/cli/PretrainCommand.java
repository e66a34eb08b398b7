package dev.bertj.app.cli;

import dev.bertj.core.pretrain.Pretraining;
import dev.bertj.core.pretrain.data.PretrainingDataGenerator;
import dev.bertj.core.train.AdamW;
import dev.bertj.core.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pre-train BERT from scratch, or continue pre-training a model, with masked-LM and next-sentence "
                + "prediction together (google-research/bert's create_pretraining_data + run_pretraining).",
            "The corpus is Google's format: one sentence per line, a blank line between documents (./bert corpus "
                + "writes it).",
            "Progress on stderr; checkpoints, metrics.jsonl and loss pictures (SVG) in <out>/checkpoints; the model "
                + "in <out> when the run ends. Interrupted runs continue with --resume."})
public class PretrainCommand implements Callable<Integer> {

    @Option(names = "--corpus", required = true, paramLabel = "FILE|DIR", description = "Training corpus file, or a directory of them.")
    Path corpus;

    @Option(names = "--config", paramLabel = "NAME|PATH",
            description = "From scratch: tiny, mini, small, medium, base, large, or a config.json.")
    String config;

    @Option(names = "--from", paramLabel = "MODEL", description = "Continue pre-training this model (a directory or a known name, e.g. bert-base-uncased).")
    String from;

    @Option(names = "--vocab", paramLabel = "PATH", description = "vocab.txt to use (from scratch).")
    Path vocab;

    @Option(names = "--train-vocab", paramLabel = "N", defaultValue = "0",
            description = "Train a WordPiece vocabulary of N tokens on the corpus (from scratch).")
    int trainVocab;

    @Option(names = "--cased", description = "Keep case and accents (default: uncased, as bert-base-uncased).")
    boolean cased;

    @Option(names = "--steps", required = true, description = "Optimizer steps of the whole run.")
    long steps;

    @Option(names = "--batch", defaultValue = "32", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "128", description = "max_seq_length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--max-predictions", defaultValue = "20", description = "max_predictions_per_seq (default: ${DEFAULT-VALUE}).")
    int maxPredictions;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --out.")
    boolean resume;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", defaultValue = "-1",
            description = "Linear warm-up steps (default: 1%% of --steps, at least 1).")
    long warmup;

    @Option(names = "--seed", defaultValue = "12345")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "1000", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--eval-corpus", paramLabel = "FILE|DIR", description = "Held-out corpus for evaluation.")
    Path evalCorpus;

    @Option(names = "--eval-every", defaultValue = "0", description = "Steps between evaluations (0: at the end only).")
    long evalEvery;

    @Option(names = "--eval-instances", defaultValue = "" + Pretraining.DEFAULT_EVAL_INSTANCES,
            description = "Held-out instances to evaluate on (default: ${DEFAULT-VALUE}).")
    int evalInstances;

    @Option(names = "--dupe-factor", defaultValue = "10",
            description = "Times each document is turned into instances per pass, with new masks (default: ${DEFAULT-VALUE}).")
    int dupeFactor;

    @Option(names = "--shard-tokens", defaultValue = "4000000",
            description = "Streaming bound of the data generator: the corpus is read in shards of about this many "
                    + "WordPiece tokens, each generated and shuffled as a whole (memory ~ 64 bytes per token at dupe "
                    + "factor 10). A corpus within one shard is shuffled exactly as the reference does (default: "
                    + "${DEFAULT-VALUE}).")
    int shardTokens;

    @Option(names = "--log-every", defaultValue = "10", description = "Steps per progress line and metrics entry (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--adam", defaultValue = "BERT",
            description = "AdamW variant: BERT (google-research/bert: no bias correction, eps 1e-6) or TORCH "
                    + "(torch.optim.AdamW: bias correction, eps 1e-8; steadier for short runs with short warm-up). "
                    + "Default: ${DEFAULT-VALUE}.")
    AdamW.Variant adam;

    @Override
    public Integer call() throws Exception {
        long warmupSteps = warmup >= 0 ? warmup : Math.max(1, steps / 100);
        Pretraining.Settings s = new Pretraining.Settings(PretrainingDataGenerator.inputFiles(corpus), evalCorpus, out,
                config, from, vocab, trainVocab, !cased, steps, batch, seq, maxPredictions, lr, warmupSteps, seed,
                checkpointEvery, evalEvery, evalInstances, dupeFactor, resume, logEvery, adam, shardTokens);
        TrainingResult result = Pretraining.run(s, System.err, null);
        System.out.println(HeadLines.JSON.writeValueAsString(result));
        return result.status() == TrainingResult.Status.COMPLETED ? 0 : 1;
    }
}
