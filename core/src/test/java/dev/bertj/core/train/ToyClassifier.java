package dev.bertj.core.train;

import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A real, small model for testing the training engine: softmax regression (logits = W x + b) with inverted
 * dropout on the input, its backward written by hand. Its data is a synthetic task: Gaussian inputs labelled by a
 * hidden "teacher" matrix. Everything random comes from seeded {@link Rng}s, so runs are exactly repeatable.
 */
final class ToyClassifier implements TrainingTask<ToyClassifier.Batch> {

    record Example(float[] x, int label) {
    }

    record Batch(List<Example> examples) {
    }

    final int features;
    final int classes;
    final float dropout;
    final Parameter weight;
    final Parameter bias;
    final Rng dropoutRng;
    private final float[] logits;
    private final float[] input;

    ToyClassifier(int features, int classes, float dropout, long seed) {
        this.features = features;
        this.classes = classes;
        this.dropout = dropout;
        Rng init = Rng.forStream(seed, 0);
        float[] w = new float[classes * features];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.02 * init.nextGaussian());
        }
        weight = new Parameter("classifier.weight", Nd4j.createFromArray(w).reshape(classes, features), true);
        bias = new Parameter("classifier.bias", Nd4j.zeros(DataType.FLOAT, classes), false);
        dropoutRng = Rng.forStream(seed, 1);
        logits = new float[classes];
        input = new float[features];
    }

    /** {@code n} examples labelled by a hidden teacher; the same seed gives the same data. */
    static List<Example> data(int n, int features, int classes, long seed) {
        Rng rng = Rng.forStream(seed, 2);
        float[] teacher = new float[classes * features];
        for (int i = 0; i < teacher.length; i++) {
            teacher[i] = (float) rng.nextGaussian();
        }
        List<Example> out = new ArrayList<>();
        for (int e = 0; e < n; e++) {
            float[] x = new float[features];
            for (int j = 0; j < features; j++) {
                x[j] = (float) rng.nextGaussian();
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double s = 0;
                for (int j = 0; j < features; j++) {
                    s += teacher[c * features + j] * x[j];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            out.add(new Example(x, best));
        }
        return out;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public Map<String, Rng> rngs() {
        return Map.of("dropout", dropoutRng);
    }

    @Override
    public StepResult trainStep(Batch batch, float lossScale) {
        FloatBuffer w = FloatBuffers.of(weight.value(), "w");
        FloatBuffer b = FloatBuffers.of(bias.value(), "b");
        FloatBuffer gw = FloatBuffers.of(weight.grad(), "gw");
        FloatBuffer gb = FloatBuffers.of(bias.grad(), "gb");
        int n = batch.examples().size();
        double loss = 0;
        int correct = 0;
        float keepScale = 1f / (1f - dropout);
        for (Example ex : batch.examples()) {
            for (int j = 0; j < features; j++) {
                input[j] = dropout > 0 && dropoutRng.nextFloat() < dropout ? 0f : ex.x()[j] * keepScale;
            }
            int argmax = forward(w, b, input);
            if (argmax == ex.label()) {
                correct++;
            }
            loss += -Math.log(logits[ex.label()]); // logits now hold probabilities
            // d(loss_mean * lossScale)/d logits = (p - onehot) * lossScale / n
            for (int c = 0; c < classes; c++) {
                float d = (logits[c] - (c == ex.label() ? 1f : 0f)) * lossScale / n;
                gb.put(c, gb.get(c) + d);
                for (int j = 0; j < features; j++) {
                    gw.put(c * features + j, gw.get(c * features + j) + d * input[j]);
                }
            }
        }
        return new StepResult(loss / n, Map.of("accuracy", correct / (double) n), (long) n * features);
    }

    /** Accuracy and loss without dropout. */
    Map<String, Double> evaluate(List<Example> examples) {
        FloatBuffer w = FloatBuffers.of(weight.value(), "w");
        FloatBuffer b = FloatBuffers.of(bias.value(), "b");
        double loss = 0;
        int correct = 0;
        for (Example ex : examples) {
            if (forward(w, b, ex.x()) == ex.label()) {
                correct++;
            }
            loss += -Math.log(logits[ex.label()]);
        }
        return Map.of("loss", loss / examples.size(), "accuracy", correct / (double) examples.size());
    }

    /** Softmax probabilities into {@code logits}; returns the argmax. */
    private int forward(FloatBuffer w, FloatBuffer b, float[] x) {
        float max = Float.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int c = 0; c < classes; c++) {
            float s = b.get(c);
            for (int j = 0; j < features; j++) {
                s += w.get(c * features + j) * x[j];
            }
            logits[c] = s;
            if (s > max) {
                max = s;
                argmax = c;
            }
        }
        float sum = 0;
        for (int c = 0; c < classes; c++) {
            logits[c] = (float) Math.exp(logits[c] - max);
            sum += logits[c];
        }
        for (int c = 0; c < classes; c++) {
            logits[c] /= sum;
        }
        return argmax;
    }

    /** The toy's data source: shuffled epochs over {@code examples}. */
    static EpochDataSource<Example, Batch> source(List<Example> examples, int batchSize, long seed) {
        return new EpochDataSource<>(examples, batchSize, seed, true, Batch::new);
    }
}
