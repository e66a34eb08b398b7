package dev.bertj.core.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file the way Hugging Face's {@code save_file} lays it out: tensors sorted by name, data
 * contiguous from offset 0, compact JSON header with {@code __metadata__} first, padded with spaces to a multiple
 * of 8 bytes. Values are converted from float32 to the chosen dtype (F32, F16 or BF16, rounding to nearest even).
 *
 * <p>Tensors are produced lazily, one at a time, in the order they were added (so a streaming source such as a
 * TF checkpoint inside a jar is read front to back), and written at their final offsets. The file appears
 * atomically: everything goes to a temporary file in the same directory, which is fsynced and then renamed.
 */
public final class SafetensorsWriter {

    /** Produces the tensor's float32 values, row-major, into {@code dst} (exactly the tensor's size). */
    @FunctionalInterface
    public interface Values {
        void fill(FloatBuffer dst);
    }

    private record Pending(String name, long[] shape, long elements, Values values) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DType dtype;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Pending> tensors = new LinkedHashMap<>();

    public SafetensorsWriter(DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("safetensors output dtype must be F32, F16 or BF16, not " + dtype);
        }
        this.dtype = dtype;
        metadata.put("format", "pt");
    }

    public DType dtype() {
        return dtype;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter add(String name, long[] shape, Values values) {
        if (name == null || name.isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException("invalid tensor name '" + name + "'");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor " + name + " added twice");
        }
        long elements = TensorBytes.byteSize(shape, DType.U8);
        if (elements < 0 || elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor " + name + ": unsupported shape " + Arrays.toString(shape));
        }
        tensors.put(name, new Pending(name, shape.clone(), elements, values));
        return this;
    }

    public SafetensorsWriter add(String name, long[] shape, float[] values) {
        if (TensorBytes.byteSize(shape, DType.U8) != values.length) {
            throw new IllegalArgumentException("tensor " + name + ": " + values.length + " values for shape "
                    + Arrays.toString(shape));
        }
        return add(name, shape, dst -> dst.put(values));
    }

    /** Adds {@code sourceName} of {@code store} under {@code name}; read only when the file is written. */
    public SafetensorsWriter add(String name, TensorStore store, String sourceName) {
        return add(name, store.info(sourceName).shape(), dst -> store.readFloats(sourceName, dst));
    }

    /** Adds every tensor of {@code store} under its own name, in the store's order. */
    public SafetensorsWriter addAll(TensorStore store) {
        for (String name : store.names()) {
            add(name, store, name);
        }
        return this;
    }

    /** Writes {@code store} as one safetensors file. */
    public static void write(TensorStore store, Path file, DType dtype) throws IOException {
        new SafetensorsWriter(dtype).addAll(store).write(file);
    }

    /** Writes the file atomically: on any failure the target is untouched and no temporary file is left. */
    public void write(Path file) throws IOException {
        AtomicFile.writeChannel(file, this::writeTo);
    }

    private void writeTo(FileChannel out) throws IOException {
        // Layout: Hugging Face sorts by dtype (one here), then by name as bytes.
        List<Pending> layout = new ArrayList<>(tensors.values());
        layout.sort(Comparator.comparing(p -> p.name.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        Map<String, long[]> offsets = new LinkedHashMap<>();
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Pending p : layout) {
            long bytes = p.elements * dtype.bytes();
            ObjectNode t = header.putObject(p.name);
            t.put("dtype", dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long d : p.shape) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offsets.put(p.name, new long[] {offset, bytes});
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        writeFully(out, head, 0);
        long dataStart = 8L + padded;

        // Fill in the order tensors were added; buffers grow to the largest tensor and are reused.
        float[] values = new float[0];
        ByteBuffer bytes = ByteBuffer.allocate(0);
        for (Pending p : tensors.values()) {
            int n = (int) p.elements;
            if (values.length < n) {
                values = new float[n];
                bytes = ByteBuffer.allocateDirect(n * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            }
            FloatBuffer dst = FloatBuffer.wrap(values, 0, n);
            p.values.fill(dst);
            if (dst.position() != n) {
                throw new IllegalStateException("tensor " + p.name + ": produced " + dst.position() + " values, expected " + n);
            }
            bytes.clear();
            TensorBytes.fromFloats(values, n, dtype, bytes);
            bytes.flip();
            writeFully(out, bytes, dataStart + offsets.get(p.name)[0]);
        }
        out.truncate(dataStart + offset);
    }

    private static void writeFully(FileChannel out, ByteBuffer b, long position) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            pos += out.write(b, pos);
        }
    }
}
