package dev.bertj.core.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Java user who touches ND4J before any bertj class, in a JVM with none of the variables set, still gets the
 * chosen kernel: ND4J's backend discovery instantiates {@link CpuSetupBackend} before it loads native code.
 */
class CpuSetupHookTest {

    /** Run in a fresh JVM: ND4J first, then report what OpenBLAS runs. */
    public static void main(String[] args) {
        org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(64, 64);
        a.mmul(a);
        System.out.println("CORE=" + CpuSetup.report().openblasCore());
        System.out.println("CHOSEN=" + CpuSetup.ensure().openblasCoretype());
    }

    @Test
    void nd4jFirstStillGetsTheChosenKernel() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CpuSetupHookTest.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("OMP_NUM_THREADS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String chosen = out.lines().filter(l -> l.startsWith("CHOSEN=")).findFirst().orElseThrow().substring(7);
        String core = out.lines().filter(l -> l.startsWith("CORE=")).findFirst().orElseThrow().substring(5);
        if (!chosen.equals("null")) {
            assertThat(core).as(out).isEqualToIgnoringCase(chosen);
        }
        assertThat(out).doesNotContain("WARNING: bertj");
    }
}
