package dev.bertj.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsTest {

    @TempDir
    Path tmp;

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 4));
        }
        return v;
    }

    @Test
    void f32RoundTripIsExactWithHuggingFaceLayout() throws IOException {
        float[] w = random(6, 1);
        float[] b = random(3, 2);
        float[] e = random(4, 3);
        Path f = tmp.resolve("model.safetensors");
        // Added out of name order: the file must still be laid out by name, as HF's save_file does.
        new SafetensorsWriter(DType.F32)
                .add("encoder.w", new long[] {3, 2}, w)
                .add("encoder.b", new long[] {3}, b)
                .add("a.embeddings", new long[] {2, 2}, e)
                .write(f);

        byte[] all = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(n % 8).isZero();
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header.stripTrailing()).isEqualTo("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a.embeddings\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"encoder.b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,28]},"
                + "\"encoder.w\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[28,52]}}");
        assertThat(all.length).isEqualTo(8 + n + 52);

        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.names()).containsExactly("a.embeddings", "encoder.b", "encoder.w");
            assertThat(st.info("encoder.w").shape()).containsExactly(3, 2);
            assertThat(st.info("encoder.w").dtype()).isEqualTo(DType.F32);
            assertThat(st.readFloats("encoder.w")).containsExactly(w);
            assertThat(st.readFloats("encoder.b")).containsExactly(b);
            assertThat(st.readFloats("a.embeddings")).containsExactly(e);
        }
    }

    @Test
    void f16AndBf16RoundTripWithinHalfAnUlp() throws IOException {
        float[] v = random(10_000, 7);
        for (DType dt : List.of(DType.F16, DType.BF16)) {
            Path f = tmp.resolve(dt + ".safetensors");
            new SafetensorsWriter(dt).add("x", new long[] {100, 100}, v).write(f);
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                assertThat(st.info("x").dtype()).isEqualTo(dt);
                assertThat(Files.size(f) - 8 - st.rawBytes("x").capacity()).isLessThan(200);
                float[] back = st.readFloats("x");
                // Relative step: 2^-10 (f16, 10 mantissa bits) or 2^-7 (bf16); rounding errs by at most half a step.
                double halfStep = dt == DType.F16 ? 0x1p-11 : 0x1p-8;
                for (int i = 0; i < v.length; i++) {
                    float x = v[i];
                    if (dt == DType.F16 && Math.abs(x) < 0x1p-14) {
                        assertThat((double) Math.abs(back[i] - x)).isLessThanOrEqualTo(0x1p-25);
                    } else {
                        assertThat((double) Math.abs(back[i] - x)).isLessThanOrEqualTo(Math.abs(x) * halfStep);
                    }
                }
            }
        }
    }

    @Test
    void halfConversionIsExactOnEveryHalfAndRoundsMidpointsToEven() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.halfToFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(f)))).isTrue();
                continue;
            }
            assertThat(HalfFloats.floatToHalf(f) & 0xffff).as("half %04x", h).isEqualTo(h);
            // The midpoint to the next half (same sign, larger magnitude) rounds to whichever is even.
            int next = h + 1;
            if ((h & 0x7fff) < 0x7bff) {
                float g = HalfFloats.halfToFloat((short) next);
                float mid = (float) (((double) f + g) / 2);
                int even = (h & 1) == 0 ? h : next;
                assertThat(HalfFloats.floatToHalf(mid) & 0xffff).as("midpoint after %04x", h).isEqualTo(even);
            }
        }
        assertThat(HalfFloats.floatToHalf(1f)).isEqualTo((short) 0x3c00);
        assertThat(HalfFloats.floatToHalf(65504f)).isEqualTo((short) 0x7bff);
        assertThat(HalfFloats.floatToHalf(65520f)).isEqualTo((short) 0x7c00);
        assertThat(HalfFloats.floatToBf16(1f)).isEqualTo((short) 0x3f80);
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80); // tie -> even
        assertThat(HalfFloats.floatToBf16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82); // tie -> even
        assertThat(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.NaN)))).isTrue();
    }

    @Test
    void readsEveryStoredDtype() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(0, -2.5).putLong(8, 1L << 40).putInt(16, -7).put(20, (byte) -3).put(21, (byte) 250)
                .putShort(22, HalfFloats.floatToHalf(0.5f)).putShort(24, HalfFloats.floatToBf16(-3f));
        String header = "{\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"s\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[20,21]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[21,22]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[22,24]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[24,26]}}";
        Path f = raw(header, Arrays.copyOf(data.array(), 26));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertThat(st.names()).containsExactly("d", "l", "i", "s", "u", "h", "b");
            assertThat(st.readFloats("d")).containsExactly(-2.5f);
            assertThat(st.readFloats("l")).containsExactly((float) (1L << 40));
            assertThat(st.readFloats("i")).containsExactly(-7f);
            assertThat(st.readFloats("s")).containsExactly(-3f);
            assertThat(st.readFloats("u")).containsExactly(250f);
            assertThat(st.readFloats("h")).containsExactly(0.5f);
            assertThat(st.readFloats("b")).containsExactly(-3f);
        }
    }

    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(tmp, "raw", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void assertBad(Path f, String... fragments) {
        assertThatThrownBy(() -> {
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                for (String n : st.names()) {
                    st.readFloats(n);
                }
            }
        }).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(f.toString())
                .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    }

    @Test
    void badFilesFailWithTheFileAndTensorNamed() throws IOException {
        Path good = tmp.resolve("good.safetensors");
        new SafetensorsWriter(DType.F32).add("pooler.dense.weight", new long[] {4, 4}, random(16, 3))
                .add("pooler.dense.bias", new long[] {4}, random(4, 4)).write(good);
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 5));
        assertBad(truncated, "pooler.dense.weight", "truncated");

        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertBad(tiny, "truncated");

        Path hugeHeader = tmp.resolve("huge.safetensors");
        byte[] h = bytes.clone();
        ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Files.write(hugeHeader, h);
        assertBad(hugeHeader, "header length");

        Path notJson = tmp.resolve("notjson.safetensors");
        byte[] j = bytes.clone();
        j[8] = 'x';
        Files.write(notJson, j);
        assertBad(notJson, "not valid JSON");

        assertBad(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]), "tensor x", "needs 12");
        assertBad(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "tensor y", "overlaps tensor x");
        assertBad(raw("{\"x\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]), "tensor x", "C64");
        assertBad(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), "tensor x", "shape");
        assertBad(raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "not valid JSON");
        assertBad(raw("[1,2]", new byte[0]), "JSON object");

        try (SafetensorsFile st = SafetensorsFile.open(good)) {
            assertThatThrownBy(() -> st.info("pooler.dense.gamma")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(good.toString()).hasMessageContaining("pooler.dense.gamma");
            assertThatThrownBy(() -> st.readFloats("pooler.dense.weight", java.nio.FloatBuffer.allocate(3)))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("pooler.dense.weight");
        }
        assertThatThrownBy(() -> SafetensorsFile.open(tmp.resolve("absent.safetensors")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("absent.safetensors");
    }

    @Test
    void failedWriteLeavesTheTargetUntouchedAndNoTemporaryFile() throws IOException {
        Path f = tmp.resolve("out").resolve("model.safetensors");
        new SafetensorsWriter(DType.F32).add("a", new long[] {2}, new float[] {1, 2}).write(f);
        byte[] before = Files.readAllBytes(f);
        SafetensorsWriter failing = new SafetensorsWriter(DType.F16)
                .add("a", new long[] {2}, new float[] {3, 4})
                .add("b", new long[] {2}, dst -> {
                    throw new CheckpointException("source: tensor b is corrupt");
                });
        assertThatThrownBy(() -> failing.write(f)).hasMessageContaining("tensor b");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        try (var files = Files.list(f.getParent())) {
            assertThat(files).containsExactly(f);
        }
        SafetensorsWriter tooFew = new SafetensorsWriter(DType.F32).add("a", new long[] {2}, dst -> dst.put(1f));
        assertThatThrownBy(() -> tooFew.write(f)).hasMessageContaining("tensor a");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
    }
}
