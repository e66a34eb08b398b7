package dev.bertj.benchmarks.jmh;

import dev.bertj.core.nn.Activation;
import dev.bertj.core.nn.Kernels;
import dev.bertj.core.nn.Rng;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The encoder's Java row kernels on BERT-base's row sizes: softmax over 128 attention scores, exact GELU over one
 * 3,072-wide FFN row, LayerNorm (mean, variance, normalise) over one 768-wide hidden row. SIMD when the JVM runs
 * with {@code --add-modules jdk.incubator.vector}, as the launcher does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KernelsJmh {

    float[] scores = new float[128];
    float[] scoresWork = new float[128];
    float[] ffn = new float[3072];
    float[] ffnOut = new float[3072];
    float[] hidden = new float[768];
    float[] hiddenOut = new float[768];
    float[] gamma = new float[768];
    float[] beta = new float[768];

    @Setup
    public void setup() {
        Rng rng = new Rng(1);
        for (int i = 0; i < scores.length; i++) {
            scores[i] = 4 * rng.nextFloat() - 2;
        }
        for (int i = 0; i < ffn.length; i++) {
            ffn[i] = 6 * rng.nextFloat() - 3;
        }
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = rng.nextFloat() - 0.5f;
            gamma[i] = 1 + 0.1f * rng.nextFloat();
            beta[i] = 0.1f * rng.nextFloat();
        }
    }

    @Benchmark
    public float softmax128() {
        System.arraycopy(scores, 0, scoresWork, 0, scores.length);
        Kernels.softmax(scoresWork, scoresWork.length);
        return scoresWork[0];
    }

    @Benchmark
    public float gelu3072() {
        Kernels.activation(Activation.GELU, ffn, ffnOut, ffn.length);
        return ffnOut[0];
    }

    @Benchmark
    public float layerNorm768() {
        int n = hidden.length;
        float mean = Kernels.sum(hidden, n) / n;
        float var = Kernels.sumSquaredDeviation(hidden, mean, n) / n;
        Kernels.normalize(hidden, mean, (float) (1 / Math.sqrt(var + 1e-12)), gamma, beta, hiddenOut, n);
        return hiddenOut[0];
    }
}
