package dev.bertj.core.nn.modules;

import dev.bertj.core.nn.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Parameter initialisation, drawn from a seeded {@link Rng} so that a seed fixes the whole model. */
public final class Init {

    private Init() {
    }

    /**
     * Normal(0, std), as BERT's {@code initializer_range}. BERT's TF code truncates at two standard deviations;
     * Hugging Face does not. We follow Hugging Face (what fine-tuning users compare against).
     */
    public static INDArray normal(long[] shape, double std, Rng rng) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] data = new float[Math.toIntExact(n)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (rng.nextGaussian() * std);
        }
        return Nd4j.create(data, shape, 'c');
    }
}
