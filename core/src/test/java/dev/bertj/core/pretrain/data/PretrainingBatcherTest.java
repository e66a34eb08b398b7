package dev.bertj.core.pretrain.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batcher lays instances out as the reference's features, padded to fixed sizes. */
class PretrainingBatcherTest {

    private static final TestWordPieces VOCAB = TestWordPieces.bertBaseUncased();

    @TempDir
    Path tmp;

    private Path corpus() throws IOException {
        Path file = tmp.resolve("austen.txt");
        try (InputStream in = getClass().getResourceAsStream("austen-pride-and-prejudice-excerpt.txt")) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    @Test
    void rowsHoldTheInstancesPaddedLikeTheReferenceFeatures() throws IOException {
        Path corpus = corpus();
        // Short targets half the time, so rows have padding to check.
        PretrainingOptions options = PretrainingOptions.defaults().withDupeFactor(1).withShortSeqProb(0.5);
        List<TrainingInstance> expected = new ArrayList<>();
        try (PretrainingDataGenerator g = PretrainingDataGenerator.open(List.of(corpus), VOCAB, options)) {
            for (TrainingInstance t = g.next(); t != null; t = g.next()) {
                expected.add(t);
            }
        }
        int batchSize = 8;
        int l = options.maxSeqLength();
        int p = options.maxPredictionsPerSeq();
        int seen = 0;
        int paddedRows = 0;
        try (PretrainingDataGenerator g = PretrainingDataGenerator.open(List.of(corpus), VOCAB, options)) {
            PretrainingBatcher batcher = new PretrainingBatcher(g, batchSize, VOCAB);
            for (PretrainingBatch batch = batcher.next(); batch != null; batch = batcher.next()) {
                assertThat(batch.inputIds).hasSize(batchSize * l);
                assertThat(batch.maskedLmWeights).hasSize(batchSize * p);
                for (int r = 0; r < batchSize; r++) {
                    int[] ids = Arrays.copyOfRange(batch.inputIds, r * l, (r + 1) * l);
                    int[] types = Arrays.copyOfRange(batch.tokenTypeIds, r * l, (r + 1) * l);
                    int[] mask = Arrays.copyOfRange(batch.attentionMask, r * l, (r + 1) * l);
                    int[] positions = Arrays.copyOfRange(batch.maskedLmPositions, r * p, (r + 1) * p);
                    int[] labels = Arrays.copyOfRange(batch.maskedLmIds, r * p, (r + 1) * p);
                    float[] weights = Arrays.copyOfRange(batch.maskedLmWeights, r * p, (r + 1) * p);
                    if (r >= batch.size()) {
                        paddedRows++;
                        assertThat(ids).containsOnly(VOCAB.padId());
                        assertThat(mask).containsOnly(0);
                        assertThat(weights).containsOnly(0f);
                        continue;
                    }
                    TrainingInstance t = expected.get(seen++);
                    int n = t.length();
                    int k = t.maskedLmPositions().length;
                    assertThat(Arrays.copyOf(ids, n)).isEqualTo(t.inputIds());
                    assertFilledWith(Arrays.copyOfRange(ids, n, l), VOCAB.padId());
                    assertThat(Arrays.copyOf(types, n)).isEqualTo(t.segmentIds());
                    assertFilledWith(Arrays.copyOfRange(types, n, l), 0);
                    assertThat(Arrays.copyOf(mask, n)).containsOnly(1);
                    assertFilledWith(Arrays.copyOfRange(mask, n, l), 0);
                    assertThat(Arrays.copyOf(positions, k)).isEqualTo(t.maskedLmPositions());
                    assertThat(Arrays.copyOf(labels, k)).isEqualTo(t.maskedLmLabelIds());
                    assertThat(Arrays.copyOf(weights, k)).containsOnly(1f);
                    if (k < p) {
                        assertFilledWith(Arrays.copyOfRange(positions, k, p), 0);
                        assertFilledWith(Arrays.copyOfRange(labels, k, p), 0);
                        assertFilledWith(Arrays.copyOfRange(weights, k, p), 0f);
                    }
                    assertThat(batch.nextSentenceLabels[r]).isEqualTo(t.isRandomNext() ? 1 : 0);
                }
            }
        }
        assertThat(seen).isEqualTo(expected.size());
        assertThat(paddedRows).isEqualTo((batchSize - expected.size() % batchSize) % batchSize);
        assertThat(expected.stream().anyMatch(t -> t.length() < l)).isTrue();
    }

    private static void assertFilledWith(int[] values, int expected) {
        for (int v : values) {
            assertThat(v).isEqualTo(expected);
        }
    }

    private static void assertFilledWith(float[] values, float expected) {
        for (float v : values) {
            assertThat(v).isEqualTo(expected);
        }
    }

    @Test
    void theDataSourceIsEndlessAndResumesFromItsJsonPosition() throws IOException {
        Path corpus = corpus();
        PretrainingOptions options = PretrainingOptions.defaults().withDupeFactor(1).withShardTokens(1500);
        int perPass = 0;
        try (PretrainingDataGenerator g = PretrainingDataGenerator.open(List.of(corpus), VOCAB, options)) {
            while (g.next() != null) {
                perPass++;
            }
        }
        int batchSize = 16;
        int batches = 3 * perPass / batchSize; // three passes' worth
        List<int[]> inputs = new ArrayList<>();
        com.fasterxml.jackson.databind.JsonNode saved = null;
        try (PretrainingDataSource source = new PretrainingDataSource(List.of(corpus), VOCAB, options, batchSize)) {
            for (int b = 0; b < batches; b++) {
                PretrainingBatch batch = source.next();
                assertThat(batch.size()).isEqualTo(batchSize);
                inputs.add(batch.inputIds.clone());
                if (b == batches / 2) {
                    saved = source.position();
                }
            }
            assertThat(source.dataPosition().epoch()).isEqualTo(2);
        }
        assertThat(saved.get("pretrainingData").asText()).startsWith("bertj-data-position/1;");
        try (PretrainingDataSource resumed = new PretrainingDataSource(List.of(corpus), VOCAB, options, batchSize)) {
            resumed.restore(saved);
            for (int b = batches / 2 + 1; b < batches; b++) {
                assertThat(resumed.next().inputIds).isEqualTo(inputs.get(b));
            }
            assertThatThrownBy(() -> resumed.restore(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                    .objectNode().put("epoch", 1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("pretrainingData");
        }
    }

    @Test
    void refusesAnInstanceThatDoesNotFit() {
        PretrainingBatch batch = new PretrainingBatch(1, 8, 2, 0);
        TrainingInstance tooLong = new TrainingInstance(new int[9], 3, false, new int[] {1}, new int[] {5});
        assertThatThrownBy(() -> batch.add(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
        batch.add(new TrainingInstance(new int[8], 3, false, new int[] {1}, new int[] {5}));
        assertThatThrownBy(() -> batch.add(new TrainingInstance(new int[5], 3, true, new int[0], new int[0])))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
    }
}
