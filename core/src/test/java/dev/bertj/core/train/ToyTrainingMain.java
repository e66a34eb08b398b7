package dev.bertj.core.train;

import java.nio.file.Path;
import java.util.List;

/**
 * A training process for the kill -9 test: trains the toy classifier with a checkpoint every few steps, resuming
 * from the newest checkpoint if there is one. Prints "started STEP" once it is about to train and "finished STEP"
 * at the end, and with {@code --announce-writes} "writing FILE" before each file or tensor of a checkpoint. Arguments:
 * checkpoint root, total steps, checkpoint interval, checkpoints to keep, [--announce-writes].
 */
public final class ToyTrainingMain {

    static final int FEATURES = 128;
    static final int CLASSES = 128;
    static final long SEED = 11;

    private ToyTrainingMain() {
    }

    /** The same setup in the child process and in the test's uninterrupted reference run. */
    static Trainer<ToyClassifier.Batch> trainer(ToyClassifier task, long totalSteps, long checkpointEvery) {
        List<ToyClassifier.Example> data = ToyClassifier.data(512, FEATURES, CLASSES, SEED);
        AdamW adam = new AdamW(task.parameters(), AdamW.Options.bert(0.01));
        TrainerOptions options = TrainerOptions.builder(totalSteps).seed(SEED).logEvery(1)
                .checkpointEvery(checkpointEvery).saveOnCancel(false).build();
        return new Trainer<>(task, ToyClassifier.source(data, 16, SEED), adam,
                LearningRateSchedule.bertWarmupDecay(0.01, 10, totalSteps), options).progress(null, null);
    }

    public static void main(String[] args) {
        Path root = Path.of(args[0]);
        long total = Long.parseLong(args[1]);
        long every = Long.parseLong(args[2]);
        int keep = Integer.parseInt(args[3]);
        ToyClassifier task = new ToyClassifier(FEATURES, CLASSES, 0.1f, SEED);
        boolean announceWrites = args.length > 4 && args[4].equals("--announce-writes");
        try (CheckpointManager checkpoints = new CheckpointManager(root, keep)) {
            if (announceWrites) { // lets the kill test aim at the middle of a checkpoint write
                checkpoints.setWriteHook((file, bytes) -> System.out.println("writing " + file.getFileName()));
            }
            Trainer<ToyClassifier.Batch> trainer = trainer(task, total, every).checkpoints(checkpoints);
            trainer.resume();
            System.out.println("started " + trainer.step());
            System.out.flush();
            TrainingResult result = trainer.run();
            System.out.println("finished " + result.step());
        }
    }
}
