package dev.bertj.core.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length N, N bytes of JSON naming each tensor's
 * dtype, shape and data offsets, then the raw little-endian data. Opening validates the whole header (offsets inside
 * the file, byte sizes equal to shape x dtype, no overlaps) so a bad file fails at once, naming file and tensor.
 */
public final class SafetensorsFile implements TensorStore {

    /** The reference implementation refuses headers above 100 MB; so do we, before allocating anything. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private record Entry(TensorInfo info, long begin, long end) {
    }

    private final Path path;
    private final MappedFile file;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, MappedFile file, long dataStart, Map<String, Entry> entries,
                            Map<String, String> metadata) {
        this.path = path;
        this.file = file;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        MappedFile file = MappedFile.open(path);
        try {
            return parse(path, file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, MappedFile file) {
        long size = file.size();
        if (size < 8) {
            throw new CheckpointException(path + ": truncated safetensors file: " + size
                    + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = file.region(0, 8).getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
            throw new CheckpointException(path + ": corrupt or truncated safetensors file: header length " + headerLength
                    + " does not fit the file of " + size + " bytes");
        }
        JsonNode header = readHeader(path, file.region(8, headerLength));
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> list = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (name.equals("__metadata__")) {
                if (!field.getValue().isObject()) {
                    throw new CheckpointException(path + ": __metadata__ is not a JSON object");
                }
                field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            list.add(parseEntry(path, name, field.getValue(), dataSize));
        }
        list.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry previous = null;
        for (Entry e : list) {
            if (previous != null && e.begin < previous.end) {
                throw new CheckpointException(path + ": tensor " + e.info.name() + " (bytes " + e.begin + ".." + e.end
                        + ") overlaps tensor " + previous.info.name() + " (bytes " + previous.begin + ".." + previous.end + ")");
            }
            previous = e;
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Entry e : list) {
            entries.put(e.info.name(), e);
        }
        return new SafetensorsFile(path, file, dataStart, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(metadata));
    }

    private static JsonNode readHeader(Path path, ByteBuffer bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(path + ": corrupt safetensors header: not valid UTF-8", e);
        }
        JsonNode header;
        try {
            header = JSON.readTree(text);
        } catch (IOException e) {
            throw new CheckpointException(path + ": corrupt safetensors header: not valid JSON: "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointException(path + ": corrupt safetensors header: expected a JSON object");
        }
        return header;
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataSize) {
        String where = path + ": tensor " + name;
        if (!node.isObject()) {
            throw new CheckpointException(where + ": header entry is not a JSON object");
        }
        DType dtype = dtypeOf(where, node.path("dtype").asText(""));
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new CheckpointException(where + ": missing 'shape' array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new CheckpointException(where + ": shape " + shapeNode + " is not a list of non-negative integers");
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber()) {
            throw new CheckpointException(where + ": 'data_offsets' must be [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new CheckpointException(where + ": invalid data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataSize) {
            throw new CheckpointException(where + ": truncated file: the tensor ends at data byte " + end
                    + " but the file holds only " + dataSize + " data bytes");
        }
        long expected = TensorBytes.byteSize(shape, dtype);
        if (expected != end - begin) {
            throw new CheckpointException(where + ": " + (end - begin) + " bytes stored but shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
        return new Entry(new TensorInfo(name, dtype, shape), begin, end);
    }

    private static DType dtypeOf(String where, String s) {
        return switch (s) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "F64" -> DType.F64;
            case "I64" -> DType.I64;
            case "I32" -> DType.I32;
            case "I8" -> DType.I8;
            case "U8" -> DType.U8;
            default -> throw new CheckpointException(where + ": unsupported dtype '" + s
                    + "' (supported: F32, F16, BF16, F64, I64, I32, I8, U8)");
        };
    }

    /** The {@code __metadata__} entries (HF writes {@code {"format": "pt"}}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Path path() {
        return path;
    }

    @Override
    public String source() {
        return path.toString();
    }

    /** Names in the order of their data in the file. */
    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        return entry(name).info;
    }

    @Override
    public void readFloats(String name, FloatBuffer dst) {
        Entry e = entry(name);
        long n = e.info.size();
        if (dst.remaining() < n) {
            throw new CheckpointException(path + ": tensor " + name + " has " + n + " elements but the buffer has room for "
                    + dst.remaining());
        }
        ByteBuffer bytes = file.region(dataStart + e.begin, e.end - e.begin);
        TensorBytes.toFloats(bytes, e.info.dtype(), (int) n, dst);
    }

    /** The stored bytes of one tensor (little-endian, its own dtype), a view into the mapping. */
    public ByteBuffer rawBytes(String name) {
        Entry e = entry(name);
        return file.region(dataStart + e.begin, e.end - e.begin);
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(path + ": no tensor named " + name);
        }
        return e;
    }

    @Override
    public void close() {
        file.close();
    }
}
