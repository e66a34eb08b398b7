package dev.bertj.core.pretrain;

import java.nio.file.Path;
import java.util.List;

/**
 * The child JVM of {@link PretrainingKillTest}: {@code ./bert pretrain --resume}'s work on a tiny config, a
 * checkpoint every few steps. Prints {@code started <step>} on stdout once it has resumed (or started fresh), then {@code step <n>} after
 * every step.
 * Arguments: corpus, config.json, out, total steps, checkpoint interval.
 */
public final class PretrainingKillMain {

    private PretrainingKillMain() {
    }

    static Pretraining.Settings settings(Path corpus, Path config, Path out, long steps, long checkpointEvery) {
        return new Pretraining.Settings(List.of(corpus), corpus, out, config.toString(), null, null, 300, true, steps, 4,
                48, 8, 1e-3, 4, 7, checkpointEvery, 0, 16, 2, true, 1, dev.bertj.core.train.AdamW.Variant.BERT);
    }

    public static void main(String[] args) throws Exception {
        Pretraining.Settings s = settings(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
                Long.parseLong(args[3]), Long.parseLong(args[4]));
        var result = Pretraining.run(s, System.err, trainer -> {
            System.out.println("started " + trainer.step());
            System.out.flush();
            // Lets the test choose its kill moment by progress rather than by the clock (a quiet machine finishes
            // the whole run before a clock-chosen moment).
            trainer.listener(new dev.bertj.core.train.TrainingListener() {
                @Override
                public void onStep(dev.bertj.core.train.StepReport report) {
                    System.out.println("step " + report.step());
                    System.out.flush();
                }
            });
        });
        System.exit(result.status() == dev.bertj.core.train.TrainingResult.Status.COMPLETED ? 0 : 1);
    }
}
