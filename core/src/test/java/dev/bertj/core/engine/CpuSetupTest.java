package dev.bertj.core.engine;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CpuSetupTest {

    @Test
    void choosesTheKernelFromTheCpuFlagsUnlessTheUserChose() {
        Map<String, String> none = Map.of();
        CpuSetup.Choice avx512 = CpuSetup.decide(Set.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl"), none::get, 4);
        assertThat(avx512.openblasCoretype()).isEqualTo("SkylakeX");
        assertThat(avx512.ompWaitPolicy()).isEqualTo("PASSIVE");
        assertThat(avx512.ompNumThreads()).isEqualTo("4");
        assertThat(avx512.openblasThreadTimeout()).isEqualTo("10");
        // AVX-512F alone (no BW/VL) is not enough for OpenBLAS's SkylakeX kernels.
        assertThat(CpuSetup.decide(Set.of("avx2", "fma", "avx512f"), none::get, 2).openblasCoretype()).isEqualTo("Haswell");
        assertThat(CpuSetup.decide(Set.of("sse4_2", "avx"), none::get, 2).openblasCoretype()).isNull();
        Map<String, String> user = Map.of("OPENBLAS_CORETYPE", "Zen", "OMP_WAIT_POLICY", "ACTIVE", "OMP_NUM_THREADS", "1");
        CpuSetup.Choice mine = CpuSetup.decide(Set.of("avx512f", "avx512bw", "avx512vl"), user::get, 8);
        assertThat(mine.openblasCoretype()).isEqualTo("Zen");
        assertThat(mine.coretypeReason()).contains("user");
        assertThat(mine.ompWaitPolicy()).isEqualTo("ACTIVE");
        assertThat(mine.ompNumThreads()).isEqualTo("1");
    }

    @Test
    void theLoadedOpenBlasRunsTheChosenKernel() {
        CpuSetup.Choice choice = CpuSetup.ensure();
        org.nd4j.linalg.factory.Nd4j.create(2, 2).mmul(org.nd4j.linalg.factory.Nd4j.create(2, 2));
        dev.bertj.core.nn.Gemm.sgemm(false, false, 1, 1, 1, 1f, dev.bertj.core.nn.Floats.allocate(1).address(), 1,
                dev.bertj.core.nn.Floats.allocate(1).address(), 1, 0f, dev.bertj.core.nn.Floats.allocate(1).address(), 1);
        CpuSetup.Report report = CpuSetup.report();
        assertThat(choice.appliedBeforeNativeLoad()).as("CpuSetup ran before ND4J loaded").isTrue();
        if (choice.openblasCoretype() != null) {
            assertThat(report.openblasCore()).isEqualToIgnoringCase(choice.openblasCoretype());
        }
        assertThat(report.openblasThreads()).isEqualTo(Integer.parseInt(choice.ompNumThreads()));
    }
}
