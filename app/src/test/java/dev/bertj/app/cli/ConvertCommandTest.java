package dev.bertj.app.cli;

import dev.bertj.core.hub.ModelDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.JarURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./bert convert} on the all-MiniLM-L6-v2 ONNX jar (a test dependency). */
class ConvertCommandTest {

    @TempDir
    Path tmp;

    private static CliRun run(String... args) {
        return CliRun.withoutInput(args);
    }

    private static Path miniLmJar() throws Exception {
        var url = ConvertCommandTest.class.getClassLoader().getResource("all-minilm-l6-v2.onnx");
        return Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
    }

    @Test
    void convertsAnOnnxJarIntoAValidNativeDirectory() throws Exception {
        Path out = tmp.resolve("minilm");
        CliRun r = run("convert", "--from", "onnx", miniLmJar().toString(), "--out", out.toString(), "--dtype", "f16");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("6 layers, hidden 384, 12 heads, vocab 30522").contains("f16");
        ModelDirectory d = ModelDirectory.open(out);
        assertThat(d.config().numAttentionHeads()).isEqualTo(12);
        assertThat(Files.readString(out.resolve("config.json"))).contains("float16");
        // Round trip through the native format: safetensors -> safetensors, f16 kept exactly.
        Path again = tmp.resolve("again");
        CliRun r2 = run("convert", "--from", "safetensors", out.toString(), "--out", again.toString(), "--dtype", "f16");
        assertThat(r2.exit()).as(r2.err()).isZero();
        assertThat(Files.readAllBytes(again.resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(out.resolve("model.safetensors")));
    }

    @Test
    void badInputGivesOneClearLine() throws Exception {
        CliRun wrongFormat = run("convert", "--from", "tf", miniLmJar().toString(), "--out", tmp.resolve("x").toString());
        assertThat(wrongFormat.exit()).isEqualTo(1);
        assertThat(wrongFormat.err()).contains("bert convert:").contains("no TF checkpoint");
        assertThat(tmp.resolve("x")).doesNotExist();

        CliRun badDtype = run("convert", "--from", "onnx", miniLmJar().toString(), "--out", tmp.resolve("y").toString(),
                "--dtype", "f8");
        assertThat(badDtype.exit()).isEqualTo(2);
        assertThat(badDtype.err()).contains("f8");

        CliRun badFormat = run("convert", "--from", "pickle", "x", "--out", tmp.resolve("z").toString());
        assertThat(badFormat.exit()).isEqualTo(2);
        assertThat(badFormat.err()).contains("pickle");

        CliRun missing = run("convert", "--from", "onnx", tmp.resolve("nothing.onnx").toString(), "--out",
                tmp.resolve("w").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nothing.onnx");
    }
}
