package dev.bertj.core.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Time and memory of the optimizer side of one BERT-base training step (110M parameters): AdamW in both variants,
 * clipping by global norm, zeroing the gradients, and optionally writing one checkpoint.
 *
 * <pre>
 * ./mvnw -B -o -q -pl core test-compile
 * ./mvnw -B -o -q -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * OMP_WAIT_POLICY=PASSIVE java -Xmx2g -cp core/target/test-classes:core/target/classes:$(cat /tmp/cp.txt) \
 *     dev.bertj.core.train.OptimizerBenchmark [STEPS] [CHECKPOINT_DIR]
 * </pre>
 */
public final class OptimizerBenchmark {

    private OptimizerBenchmark() {
    }

    /** The parameter shapes of BertForPreTraining, bert-base-uncased, by Hugging Face name. */
    static List<Parameter> bertBase() {
        int h = 768;
        int ff = 3072;
        int vocab = 30522;
        List<Parameter> ps = new ArrayList<>();
        add(ps, "embeddings.word_embeddings.weight", vocab, h);
        add(ps, "embeddings.position_embeddings.weight", 512, h);
        add(ps, "embeddings.token_type_embeddings.weight", 2, h);
        add(ps, "embeddings.LayerNorm.weight", h);
        add(ps, "embeddings.LayerNorm.bias", h);
        for (int l = 0; l < 12; l++) {
            String p = "encoder.layer." + l + ".";
            for (String m : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense"}) {
                add(ps, p + m + ".weight", h, h);
                add(ps, p + m + ".bias", h);
            }
            add(ps, p + "attention.output.LayerNorm.weight", h);
            add(ps, p + "attention.output.LayerNorm.bias", h);
            add(ps, p + "intermediate.dense.weight", ff, h);
            add(ps, p + "intermediate.dense.bias", ff);
            add(ps, p + "output.dense.weight", h, ff);
            add(ps, p + "output.dense.bias", h);
            add(ps, p + "output.LayerNorm.weight", h);
            add(ps, p + "output.LayerNorm.bias", h);
        }
        add(ps, "pooler.dense.weight", h, h);
        add(ps, "pooler.dense.bias", h);
        add(ps, "cls.predictions.transform.dense.weight", h, h);
        add(ps, "cls.predictions.transform.dense.bias", h);
        add(ps, "cls.predictions.transform.LayerNorm.weight", h);
        add(ps, "cls.predictions.transform.LayerNorm.bias", h);
        add(ps, "cls.predictions.bias", vocab);
        add(ps, "cls.seq_relationship.weight", 2, h);
        add(ps, "cls.seq_relationship.bias", 2);
        return ps;
    }

    private static void add(List<Parameter> ps, String name, long... shape) {
        ps.add(Parameter.of(name, Nd4j.zeros(DataType.FLOAT, shape)));
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double mb(long bytes) {
        return bytes / 1e6;
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path checkpointDir = args.length > 1 ? Path.of(args[1]) : null;
        List<Parameter> params = bertBase();
        long n = params.stream().mapToLong(Parameter::size).sum();
        Rng rng = new Rng(1);
        for (Parameter p : params) {
            FloatBuffer v = FloatBuffers.of(p.value(), p.name());
            FloatBuffer g = FloatBuffers.of(p.grad(), p.name());
            for (int i = 0; i < v.capacity(); i++) {
                v.put(i, (float) (0.02 * rng.nextGaussian()));
                g.put(i, (rng.nextFloat() - 0.5f) * 1e-3f);
            }
        }
        System.out.printf(Locale.ROOT, "parameters: %,d in %d tensors; values + gradients: %.0f MB%n", n, params.size(), mb(8 * n));
        long rssBefore = Pointer.physicalBytes();
        for (AdamW.Variant variant : AdamW.Variant.values()) {
            AdamW adam = new AdamW(params, new AdamW.Options(variant, 0.9, 0.999, variant == AdamW.Variant.BERT ? 1e-6 : 1e-8, 0.01));
            adam.step(1e-4); // allocates the moments
            long rssAfterFirst = Pointer.physicalBytes();
            long t0 = System.nanoTime();
            long cpu0 = cpuNanos();
            for (int s = 0; s < steps; s++) {
                adam.step(1e-4);
            }
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            double cpuMs = (cpuNanos() - cpu0) / 1e6 / steps;
            long rssAfterSteps = Pointer.physicalBytes();
            System.out.printf(Locale.ROOT, "AdamW %-5s step: %.1f ms wall, %.1f ms CPU (%.2f GB/s of parameter+gradient+moment "
                            + "traffic); moments %.0f MB; RSS +%.0f MB at the first step, %+.1f MB over %d more steps%n",
                    variant, ms, cpuMs, 28.0 * n / (ms / 1e3) / 1e9, mb(adam.stateBytes()), mb(rssAfterFirst - rssBefore),
                    mb(rssAfterSteps - rssAfterFirst), steps);
            if (checkpointDir != null && variant == AdamW.Variant.BERT) {
                try (CheckpointManager m = new CheckpointManager(checkpointDir, 1)) {
                    long c0 = System.nanoTime();
                    m.save(1, ModelLayout.of(params), adam, JsonNodeFactory.instance.objectNode());
                    System.out.printf(Locale.ROOT, "checkpoint (model + optimizer, fsynced): %.2f s, RSS now %.0f MB%n",
                            (System.nanoTime() - c0) / 1e9, mb(Pointer.physicalBytes()));
                    long l0 = System.nanoTime();
                    CheckpointManager.load(m.latest().orElseThrow(), ModelLayout.of(params), adam);
                    System.out.printf(Locale.ROOT, "resume load: %.2f s%n", (System.nanoTime() - l0) / 1e9);
                }
            }
            adam = null;
            System.gc();
            rssBefore = Pointer.physicalBytes();
        }
        long t0 = System.nanoTime();
        long cpu0 = cpuNanos();
        double norm = 0;
        for (int s = 0; s < steps; s++) {
            for (Parameter p : params) {
                p.grad().muli(2f); // so that every call clips
            }
            norm = GradientClipping.clipByGlobalNorm(params, 1.0);
        }
        System.out.printf(Locale.ROOT, "scale gradients x2 (ND4J) + clip by global norm: %.1f ms wall, %.1f ms CPU (norm %.3f)%n",
                (System.nanoTime() - t0) / 1e6 / steps, (cpuNanos() - cpu0) / 1e6 / steps, norm);
        t0 = System.nanoTime();
        cpu0 = cpuNanos();
        for (int s = 0; s < steps; s++) {
            norm = GradientClipping.globalNorm(params);
        }
        System.out.printf(Locale.ROOT, "global norm only: %.1f ms wall, %.1f ms CPU%n",
                (System.nanoTime() - t0) / 1e6 / steps, (cpuNanos() - cpu0) / 1e6 / steps);
        t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            for (Parameter p : params) {
                p.grad().assign(0);
            }
        }
        System.out.printf(Locale.ROOT, "zero gradients: %.1f ms%n", (System.nanoTime() - t0) / 1e6 / steps);
        System.out.printf(Locale.ROOT, "process RSS: %.0f MB (heap max %.0f MB)%n", mb(Pointer.physicalBytes()),
                mb(Runtime.getRuntime().maxMemory()));
    }
}
