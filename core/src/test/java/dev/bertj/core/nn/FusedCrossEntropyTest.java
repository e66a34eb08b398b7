package dev.bertj.core.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The float32 cross-entropy (one fused pass) against the reference path, which {@link TapeGradientTest} checks
 * against finite differences in float64: same loss and same gradient, with class weights, label smoothing and
 * unlabelled rows, over logits wide enough to be split across threads.
 */
class FusedCrossEntropyTest {

    private static double[] lossAndGrad(INDArray z, int[] labels, float[] weights, double smoothing, INDArray gradOut) {
        Parameter p = Parameter.of("z", z);
        Tape tape = Tape.training();
        Var loss = tape.softmaxCrossEntropy(tape.param(p), labels, weights, smoothing);
        tape.backward(tape.scale(loss, 2.5));
        gradOut.assign(p.grad());
        return new double[] {loss.value().getDouble(0)};
    }

    @Test
    void matchesTheReferencePathInLossAndGradient() {
        Random r = new Random(3);
        int n = 300;
        int c = 997;
        double[] values = new double[n * c];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextGaussian() * 4;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 7 == 3 ? -1 : r.nextInt(c);
        }
        float[] weights = new float[c];
        for (int j = 0; j < c; j++) {
            weights[j] = 0.5f + r.nextFloat();
        }
        for (float[] w : new float[][] {null, weights}) {
            for (double smoothing : new double[] {0, 0.1}) {
                INDArray zd = Nd4j.create(values, new long[] {n, c}, DataType.DOUBLE);
                INDArray gd = Nd4j.create(DataType.DOUBLE, n, c);
                double reference = lossAndGrad(zd, labels, w, smoothing, gd)[0];
                INDArray zf = zd.castTo(DataType.FLOAT);
                INDArray gf = Nd4j.create(DataType.FLOAT, n, c);
                double fused = lossAndGrad(zf, labels, w, smoothing, gf)[0];
                // The same logits laid out column-major, as a matrix product may return them.
                INDArray gfColumnMajor = Nd4j.create(DataType.FLOAT, n, c);
                double fusedColumnMajor = lossAndGrad(zf.dup('f'), labels, w, smoothing, gfColumnMajor)[0];
                assertThat(fusedColumnMajor).isCloseTo(fused, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(fused)));
                assertThat(gfColumnMajor.equalsWithEps(gf, 1e-7)).isTrue();
                assertThat(fused).as("loss, smoothing %s, weights %s", smoothing, w != null)
                        .isCloseTo(reference, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(reference)));
                double maxErr = Transforms.abs(gf.castTo(DataType.DOUBLE).sub(gd)).maxNumber().doubleValue();
                double scale = Transforms.abs(gd).maxNumber().doubleValue();
                assertThat(maxErr / scale).as("gradient, smoothing %s, weights %s", smoothing, w != null).isLessThan(1e-5);
                for (int i = 0; i < n; i++) {
                    if (labels[i] < 0) {
                        assertThat(gf.getRow(i).amaxNumber().doubleValue()).isZero();
                    }
                }
            }
        }
    }

    /**
     * A decoder-sized loss (1,150 target tokens x 8,000 pieces): summing nine million float32 terms in ND4J
     * reported 8.66 where the float64 value is 9.12; the fused path keeps its sums in double.
     */
    @Test
    void aVocabularySizedLossIsExact() {
        int n = 1150;
        int c = 8000;
        Random r = new Random(1);
        double[] v = new double[n * c];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * 0.5;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(c);
        }
        INDArray zd = Nd4j.create(v, new long[] {n, c}, DataType.DOUBLE);
        double reference = lossAndGrad(zd, labels, null, 0.1, Nd4j.create(DataType.DOUBLE, n, c))[0];
        double fused = lossAndGrad(zd.castTo(DataType.FLOAT), labels, null, 0.1, Nd4j.create(DataType.FLOAT, n, c))[0];
        assertThat(fused).isCloseTo(reference, org.assertj.core.data.Offset.offset(1e-6 * reference));
    }
}
