package dev.bertj.app.cli;

import dev.bertj.core.head.FineTuneOptions;
import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune a head on a model: a fresh head (its output layer from scratch) on the pre-trained "
                + "encoder, trained together. Writes one model directory; running it again resumes from the latest checkpoint.",
                "Progress on stderr; metrics.jsonl and a loss curve (SVG) beside the checkpoints."})
public class FineTuneCommand implements Callable<Integer> {

    @Option(names = "--head", required = true, description = "Head id: mlm, nsp, qa, classification, translation, or a plugin's.")
    String head;

    @Option(names = "--model", required = true, description = "The model to start from: a directory or a well-known name.")
    String model;

    @Option(names = "--train", required = true, description = "Training data in the head's format.")
    Path train;

    @Option(names = "--eval", description = "Evaluation data, scored periodically and at the end.")
    Path eval;

    @Option(names = "--out", required = true, description = "Output model directory (checkpoints go into <out>/checkpoints).")
    Path out;

    @Option(names = "--epochs", defaultValue = "3")
    int epochs;

    @Option(names = "--max-steps", defaultValue = "0", description = "Stop after this many optimizer steps (0: epochs decide).")
    long maxSteps;

    @Option(names = "--lr", defaultValue = "3e-5")
    double lr;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--accumulation", defaultValue = "1", description = "Micro-batches per optimizer step.")
    int accumulation;

    @Option(names = "--max-length", defaultValue = "128")
    int maxLength;

    @Option(names = "--freeze-encoder", description = "Train only the head.")
    boolean freezeEncoder;

    @Option(names = "--warmup", defaultValue = "0.1", description = "Fraction of steps for linear warm-up.")
    double warmup;

    @Option(names = "--weight-decay", defaultValue = "0.01")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "200")
    long checkpointEvery;

    @Option(names = "--eval-every", defaultValue = "0")
    long evalEvery;

    @Option(names = "--max-train", defaultValue = "0", description = "Use only the first N training examples (0: all).")
    int maxTrain;

    @Option(names = "--max-eval", defaultValue = "0", description = "Use only the first N evaluation examples (0: all).")
    int maxEval;

    @Option(names = "--bucket-by-length", description = "Batch training examples of similar length together, so "
            + "dynamic padding wastes little (heads that know their examples' lengths: classification, translation).")
    boolean bucketByLength;

    @Option(names = {"-o", "--option"}, description = "Head option key=value (e.g. text_column=sentence).")
    Map<String, String> headOptions;

    @Override
    public Integer call() throws Exception {
        FineTuneOptions o = new FineTuneOptions(head, train, eval, out, epochs, maxSteps, lr, batch, accumulation,
                maxLength, freezeEncoder, warmup, weightDecay, seed, checkpointEvery, evalEvery, maxTrain, maxEval,
                headOptions, bucketByLength);
        HeadHost host = HeadLines.openModel(model);
        TrainingResult result = FineTuning.run(host, o, System.err, List.of(), null);
        System.out.println(HeadLines.JSON.writeValueAsString(result));
        return result.status() == TrainingResult.Status.COMPLETED ? 0 : 1;
    }
}
