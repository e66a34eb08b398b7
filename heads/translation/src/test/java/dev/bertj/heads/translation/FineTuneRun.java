package dev.bertj.heads.translation;

import dev.bertj.core.head.FineTuneOptions;
import dev.bertj.core.head.FineTuning;
import dev.bertj.core.head.HeadHost;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code ./bert finetune --head translation} without the app (the same {@link FineTuning} call), for timing runs
 * from this module's test class path, then corpus BLEU/chrF on a test set:
 * <pre>
 * java -cp ... dev.bertj.heads.translation.FineTuneRun MODEL_DIR TRAIN_PREFIX EVAL_PREFIX TEST_PREFIX OUT MAX_STEPS BATCH LR MAX_TEST [key=value head options]
 * e.g. .../bert-base-uncased data/multi30k/train data/multi30k/val data/multi30k/test_2016_flickr /tmp/mt 200 32 5e-4 100 num_beams=1
 * </pre>
 * The encoder is frozen (the BERT encoder's outputs feed the fresh decoder, whose gradient stops there).
 */
public final class FineTuneRun {

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        HeadHost host = new HeadHost(BertModel.load(model), WordPieceTokenizer.load(model), model,
                HeadHost.discover(FineTuneRun.class.getClassLoader()), 42);
        long steps = Long.parseLong(args[5]);
        Map<String, String> headOptions = new java.util.LinkedHashMap<>();
        for (int i = 9; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            headOptions.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        FineTuneOptions o = new FineTuneOptions("translation", Path.of(args[1]), Path.of(args[2]), Path.of(args[4]),
                1, steps, Double.parseDouble(args[7]), Integer.parseInt(args[6]), 1, 64, true, 0.1, 0.01, 42,
                0, 0, 0, 50, headOptions);
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        var result = FineTuning.run(host, o, System.err, List.of(), null);
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
        // CPU seconds do not depend on how many other processes share the machine, wall seconds do.
        System.out.printf("training: %s, %d steps in %.0f s wall, %.0f s CPU (all threads; includes reading the data, "
                + "learning the target vocabulary and the final evaluation)%n", result.status(), steps, seconds, cpu);
        int maxTest = Integer.parseInt(args[8]);
        Map<String, Double> scores = FineTuning.evaluate(host, "translation", Path.of(args[3]), Map.of(), maxTest);
        System.out.println("test: " + scores);
    }
}
