package dev.bertj.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.bertj.core.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class GradientClippingTest {

    private static Parameter withGrad(String name, float... g) {
        Parameter p = new Parameter(name, Nd4j.zeros(DataType.FLOAT, g.length), true);
        p.grad().assign(Nd4j.createFromArray(g));
        return p;
    }

    @Test
    void scalesAllGradientsByOneFactorWhenTheGlobalNormIsTooLarge() {
        Parameter a = withGrad("a.weight", 3f, 0f);
        Parameter b = withGrad("b.bias", 0f, 4f, 12f); // global norm sqrt(9 + 16 + 144) = 13
        Parameter frozen = withGrad("c.weight", 100f);
        frozen.setTrainable(false);
        double norm = GradientClipping.clipByGlobalNorm(List.of(a, b, frozen), 1.0);
        assertThat(norm).isCloseTo(13.0, offset(1e-9));
        assertThat(a.grad().toDoubleVector()).containsExactly(new double[] {3 / 13.0, 0}, offset(1e-7));
        assertThat(b.grad().toDoubleVector()).containsExactly(new double[] {0, 4 / 13.0, 12 / 13.0}, offset(1e-7));
        assertThat(frozen.grad().getDouble(0)).isEqualTo(100.0);
        assertThat(GradientClipping.globalNorm(List.of(a, b))).isCloseTo(1.0, offset(1e-6));
    }

    @Test
    void leavesSmallGradientsUntouched() {
        Parameter a = withGrad("a.weight", 0.3f, -0.4f);
        double norm = GradientClipping.clipByGlobalNorm(List.of(a), 1.0);
        assertThat(norm).isCloseTo(0.5, offset(1e-7));
        assertThat(a.grad().toFloatVector()).containsExactly(0.3f, -0.4f);
    }

    @Test
    void sumsLargeTensorsAcrossChunks() {
        int n = 5 * ParallelLoop.CHUNK + 3;
        Parameter p = new Parameter("big.weight", Nd4j.zeros(DataType.FLOAT, n), true);
        p.grad().assign(0.5f);
        assertThat(GradientClipping.globalNorm(List.of(p))).isCloseTo(0.5 * Math.sqrt(n), offset(1e-6));
        GradientClipping.clipByGlobalNorm(List.of(p), 2.0);
        assertThat(GradientClipping.globalNorm(List.of(p))).isCloseTo(2.0, offset(1e-5));
        assertThat(p.grad().getFloat(n - 1)).isCloseTo((float) (2.0 / Math.sqrt(n)), offset(1e-7f));
    }

    @Test
    void reportsNonFiniteNormsWithoutTouchingTheGradients() {
        Parameter a = withGrad("a.weight", Float.NaN, 1f);
        assertThat(GradientClipping.clipByGlobalNorm(List.of(a), 1.0)).isNaN();
        assertThat(a.grad().getFloat(1)).isEqualTo(1f);
    }
}
