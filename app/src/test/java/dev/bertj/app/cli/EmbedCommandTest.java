package dev.bertj.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.service.Bertj;
import dev.bertj.core.service.Pooling;
import dev.bertj.core.service.RepresentationService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bert embed} end to end on a small random model directory written by bertj. */
class EmbedCommandTest {

    @TempDir
    static Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void writeModel() throws Exception {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        vocab.addAll(List.of("the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", ".", "a", "cat"));
        Files.write(dir.resolve("vocab.txt"), vocab);
        BertConfig config = new BertConfig(vocab.size(), 32, 2, 4, 64, "gelu", 0.1, 0.1, 12, 2, 1e-12, 0.5, 0, Map.of());
        try (BertModel model = BertModel.initialize(config, 42)) {
            model.save(dir);
        }
    }

    /** One vector per non-empty output line; each line must be exactly {"embedding": [...]}. */
    private static List<float[]> vectors(CliRun r) throws Exception {
        List<float[]> vs = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.isEmpty()) {
                JsonNode n = JSON.readTree(line);
                assertThat(n.fieldNames()).toIterable().containsExactly("embedding");
                vs.add(JSON.convertValue(n.get("embedding"), float[].class));
            }
        }
        return vs;
    }

    private static CliRun run(String stdin, String... args) {
        return CliRun.run(stdin, args);
    }

    @Test
    void oneVectorPerLineEqualToTheJavaApi() throws Exception {
        List<String> lines = List.of("the quick brown fox", "", "a lazy cat jumps over the dog .");
        try (Bertj bert = Bertj.load(dir, RepresentationService.Options.DEFAULT)) {
            for (String pooling : List.of("cls", "mean", "pooler")) {
                CliRun r = run(String.join("\n", lines) + "\n", "embed", "--model", dir.toString(), "--pooling", pooling,
                        "--normalize", "--batch", "2");
                assertThat(r.exit()).as(r.err()).isZero();
                List<float[]> got = vectors(r);
                assertThat(got).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    float[] want = bert.embed(lines.get(i), Pooling.parse(pooling), true);
                    assertThat(got.get(i)).hasSize(32);
                    for (int j = 0; j < 32; j++) {
                        assertThat(got.get(i)[j]).isCloseTo(want[j], org.assertj.core.data.Offset.offset(1e-6f));
                    }
                }
            }
            CliRun raw = run("the fox", "embed", "--model", dir.toString(), "--pooling", "cls");
            assertThat(vectors(raw).get(0)).containsExactly(bert.embed("the fox", Pooling.CLS, false));
        }
    }

    @Test
    void tooLongLinesStopTheRunUnlessTruncated() throws Exception {
        String input = "the fox\n" + "the quick brown fox jumps over the lazy dog . a cat\n";
        CliRun r = run(input, "embed", "--model", dir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("line 2").contains("longer than 12");
        CliRun t = run(input, "embed", "--model", dir.toString(), "--truncate");
        assertThat(t.exit()).as(t.err()).isZero();
        assertThat(vectors(t)).hasSize(2);
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(run("x", "embed", "--model", dir.toString(), "--pooling", "max").exit()).isEqualTo(2);
        CliRun missing = run("x", "embed", "--model", dir.resolve("nope").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("nope");
    }
}
