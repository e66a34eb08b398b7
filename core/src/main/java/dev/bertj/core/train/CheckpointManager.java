package dev.bertj.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bertj.core.io.AtomicFile;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.SafetensorsWriter;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.nn.Parameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints of a training run, in the project's native format, under one root directory:
 *
 * <pre>
 * ROOT/checkpoint-STEP/model.safetensors        the model's parameters by name (plus any other tensor files)
 *                     /config.json, vocab.txt   written by the caller's {@link ModelLayout.ExtraFiles}
 *                     /optimizer.safetensors    AdamW moments: PARAM.exp_avg, PARAM.exp_avg_sq
 *                     /trainer_state.json       step, schedule, data position, RNG states, options, metrics,
 *                                               and the size of every other file (written last)
 * ROOT/latest                                   "checkpoint-STEP", the newest complete checkpoint
 * </pre>
 *
 * <p>Writing is atomic: everything goes into a hidden temporary directory beside the checkpoints, every file and
 * directory is fsynced, the directory is renamed into place, the root is fsynced, and only then is {@code latest}
 * replaced (temp file + rename). A process killed at any moment leaves either the complete new checkpoint or
 * none: hidden leftovers ({@code .tmp-*}, {@code .trash-*}) are never taken for checkpoints and are removed the next
 * time a manager opens the root. The last {@code keepLast} checkpoints are kept; older ones are renamed away before
 * they are deleted, so a half-deleted directory never carries a checkpoint's name.
 *
 * <p>A manager locks its root ({@code .lock}), so two runs cannot write into the same directory. A failed write
 * (a full disk, say) removes its temporary directory and throws a {@link CheckpointException} saying so; the
 * previous checkpoints and {@code latest} are untouched.
 */
public final class CheckpointManager implements AutoCloseable {

    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String STATE_FILE = "trainer_state.json";
    public static final String LATEST_FILE = "latest";
    public static final String STATE_FORMAT = "bertj-trainer-state";

    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String TEMP_PREFIX = ".tmp-checkpoint-";
    private static final String TRASH_PREFIX = ".trash-checkpoint-";
    private static final String LOCK_FILE = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A complete checkpoint directory. */
    public record Checkpoint(long step, Path directory) {
        public Path file(String relativePath) {
            return directory.resolve(relativePath);
        }
    }

    /** Sees every write before it happens; tests use it to simulate a full disk in the middle of a checkpoint. */
    interface WriteHook {
        void beforeWrite(Path file, long bytes) throws IOException;
    }

    private final Path root;
    private final int keepLast;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private WriteHook writeHook = (file, bytes) -> { };

    /**
     * Opens (creating it if needed) and locks a checkpoint root, and removes leftovers of interrupted writes.
     *
     * @param keepLast how many of the newest checkpoints to keep (at least 1)
     * @throws CheckpointException if the directory cannot be created, or another run holds its lock
     */
    public CheckpointManager(Path root, int keepLast) {
        if (keepLast < 1) {
            throw new IllegalArgumentException("must keep at least one checkpoint, got " + keepLast);
        }
        this.root = root.toAbsolutePath().normalize();
        this.keepLast = keepLast;
        try {
            Files.createDirectories(this.root);
            lockChannel = FileChannel.open(this.root.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CheckpointException("cannot use checkpoint directory " + this.root + ": " + describe(e), e);
        }
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            closeQuietly();
            throw new CheckpointException("checkpoint directory " + this.root + " is in use by another training run "
                    + "(its " + LOCK_FILE + " is locked)");
        }
        lock = l;
        removeLeftovers();
    }

    public Path root() {
        return root;
    }

    void setWriteHook(WriteHook hook) {
        this.writeHook = hook;
    }

    // ------------------------------------------------------------------------------------------------ saving

    /**
     * Writes {@code checkpoint-<step>} atomically, points {@code latest} at it and prunes old checkpoints.
     *
     * @param trainerState the trainer's state (step, schedule, data position, RNG states, ...); a {@code "files"}
     *                     entry with every file's size is added to it
     * @param optimizer    may be null (then no optimizer file is written)
     * @throws CheckpointException saying what failed; nothing visible has changed then
     */
    public Checkpoint save(long step, ModelLayout model, AdamW optimizer, ObjectNode trainerState) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        String name = "checkpoint-" + step;
        Path tmp = root.resolve(TEMP_PREFIX + step);
        Path target = root.resolve(name);
        try {
            deleteTree(tmp);
            checkFreeSpace(name, model.parameterBytes() + (optimizer == null ? 0 : optimizer.stateBytes()));
            Files.createDirectories(tmp);
            for (Map.Entry<String, List<Parameter>> file : model.tensorFiles().entrySet()) {
                Map<String, INDArray> tensors = new LinkedHashMap<>();
                for (Parameter p : file.getValue()) {
                    tensors.put(p.name(), p.value());
                }
                writeTensors(tmp.resolve(file.getKey()), tensors);
            }
            if (optimizer != null) {
                writeTensors(tmp.resolve(OPTIMIZER_FILE), optimizer.stateTensors());
            }
            model.extras().write(tmp);

            ObjectNode state = trainerState.deepCopy();
            state.put("format", STATE_FORMAT);
            state.put("step", step);
            ObjectNode files = state.putObject("files");
            for (Map.Entry<String, Long> f : fileSizes(tmp).entrySet()) {
                files.put(f.getKey(), f.getValue());
            }
            writeDurably(tmp.resolve(STATE_FILE), JSON.writeValueAsBytes(state));
            fsyncTree(tmp);

            Path trash = null;
            if (Files.exists(target)) { // the same step saved again (a resumed run passing an old checkpoint)
                trash = root.resolve(TRASH_PREFIX + step + "-" + System.nanoTime());
                move(target, trash);
            }
            move(tmp, target);
            AtomicFile.fsyncDirectory(root);
            if (trash != null) {
                deleteTree(trash);
            }
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            Optional<Checkpoint> previous;
            try {
                previous = latest();
            } catch (RuntimeException listing) {
                previous = Optional.empty();
            }
            throw new CheckpointException("could not write " + name + " in " + root + ": " + describe(e) + ". "
                    + previous.map(c -> "The previous checkpoint, " + c.directory().getFileName() + ", is intact.")
                            .orElse("There is no earlier checkpoint."), e);
        }
        // From here on the checkpoint is complete and found by list(); the pointer is for people and tools.
        try {
            writeLatest(name);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(name + " in " + root + " is complete, but the '" + LATEST_FILE
                    + "' pointer could not be updated: " + describe(e), e);
        }
        Checkpoint saved = new Checkpoint(step, target);
        prune(saved);
        return saved;
    }

    private void checkFreeSpace(String name, long tensorBytes) throws IOException {
        long needed = tensorBytes + (1 << 20);
        long free = Files.getFileStore(root).getUsableSpace();
        if (free < needed) {
            throw new IOException(String.format("not enough disk space: %s needs about %.1f MB, %.1f MB are free "
                    + "(free some space or keep fewer checkpoints)", name, needed / 1e6, free / 1e6));
        }
    }

    private void writeTensors(Path file, Map<String, INDArray> tensors) throws IOException {
        Files.createDirectories(file.getParent());
        SafetensorsWriter writer = new SafetensorsWriter(DType.F32);
        for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
            String tensorName = t.getKey();
            INDArray array = t.getValue();
            writer.add(tensorName, array.shape(), dst -> {
                try {
                    writeHook.beforeWrite(file, 4 * array.length());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                dst.put(FloatBuffers.of(array, tensorName));
            });
        }
        writer.write(file);
    }

    private void writeDurably(Path file, byte[] bytes) throws IOException {
        writeHook.beforeWrite(file, bytes.length);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        }
    }

    private void writeLatest(String name) throws IOException {
        AtomicFile.writeString(root.resolve(LATEST_FILE), name + "\n");
    }

    private void prune(Checkpoint justSaved) {
        List<Checkpoint> all = list();
        int excess = all.size() - keepLast;
        for (Checkpoint c : all) {
            if (excess <= 0) {
                break;
            }
            if (c.step() == justSaved.step()) {
                continue;
            }
            try {
                Path trash = root.resolve(TRASH_PREFIX + c.step() + "-" + System.nanoTime());
                move(c.directory(), trash);
                AtomicFile.fsyncDirectory(root);
                deleteTree(trash);
            } catch (IOException e) {
                // Keeping an extra old checkpoint is harmless; the next save tries again.
            }
            excess--;
        }
    }

    // ----------------------------------------------------------------------------------------------- reading

    /** The complete checkpoints, oldest first. Hidden temporary directories and anything incomplete are ignored. */
    public List<Checkpoint> list() {
        return listComplete(root);
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Checkpoint> latest() {
        List<Checkpoint> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The newest complete checkpoint under {@code root}, without locking it (for readers such as eval). */
    public static Optional<Checkpoint> latestIn(Path root) {
        List<Checkpoint> all = listComplete(root.toAbsolutePath().normalize());
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    private static List<Checkpoint> listComplete(Path root) {
        TreeMap<Long, Checkpoint> found = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) {
                Matcher m = NAME.matcher(d.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(d)) {
                    continue;
                }
                long step;
                try {
                    step = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                Checkpoint c = new Checkpoint(step, d);
                try {
                    checkFiles(c);
                    found.put(step, c);
                } catch (CheckpointException e) {
                    // Not one of ours, or damaged after the fact: never resume from it.
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot list checkpoints in " + root + ": " + describe(e), e);
        }
        return List.copyOf(found.values());
    }

    /** The parsed {@code trainer_state.json} of a checkpoint. */
    public static ObjectNode readState(Checkpoint c) {
        Path file = c.file(STATE_FILE);
        JsonNode state;
        try {
            state = JSON.readTree(file.toFile());
        } catch (NoSuchFileException e) {
            throw new CheckpointException(c.directory() + ": no " + STATE_FILE + ": not a complete checkpoint", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": unreadable or not JSON: " + describe(e), e);
        }
        if (state == null || !state.isObject() || !STATE_FORMAT.equals(state.path("format").asText())) {
            throw new CheckpointException(file + ": not a trainer state (format is not " + STATE_FORMAT + ")");
        }
        if (state.path("step").asLong(-1) != c.step()) {
            throw new CheckpointException(file + ": says step " + state.path("step") + " but the directory is for step "
                    + c.step());
        }
        return (ObjectNode) state;
    }

    /** Cheap completeness check: the state file parses and every file it lists has the recorded size. */
    private static ObjectNode checkFiles(Checkpoint c) {
        ObjectNode state = readState(c);
        JsonNode files = state.path("files");
        if (!files.isObject() || files.isEmpty()) {
            throw new CheckpointException(c.file(STATE_FILE) + ": lists no files");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            Path p = c.directory().resolve(f.getKey()).normalize();
            if (!p.startsWith(c.directory())) {
                throw new CheckpointException(c.file(STATE_FILE) + ": file " + f.getKey() + " is outside the checkpoint");
            }
            long size;
            try {
                size = Files.size(p);
            } catch (IOException e) {
                throw new CheckpointException(c.directory() + ": missing " + f.getKey(), e);
            }
            if (size != f.getValue().asLong(-1)) {
                throw new CheckpointException(p + ": " + size + " bytes, the checkpoint recorded " + f.getValue());
            }
        }
        return state;
    }

    /**
     * Full check that a checkpoint is loadable: the state file, every recorded file's size, and the header of every
     * safetensors file (offsets and sizes consistent).
     *
     * @return its trainer state
     * @throws CheckpointException naming the first problem
     */
    public static ObjectNode verify(Checkpoint c) {
        ObjectNode state = checkFiles(c);
        for (Iterator<String> it = state.path("files").fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.endsWith(".safetensors")) {
                try (SafetensorsFile file = SafetensorsFile.open(c.file(f))) {
                    file.names();
                }
            }
        }
        return state;
    }

    /**
     * Loads a checkpoint into the live model and optimizer: every parameter of {@code model} from its tensor file,
     * and the moments and step count into {@code optimizer} (unless null).
     *
     * @return the checkpoint's trainer state
     * @throws CheckpointException naming the file and tensor that is missing or does not fit
     */
    public static ObjectNode load(Checkpoint c, ModelLayout model, AdamW optimizer) {
        ObjectNode state = checkFiles(c);
        for (Map.Entry<String, List<Parameter>> file : model.tensorFiles().entrySet()) {
            loadParameters(c.file(file.getKey()), file.getValue());
        }
        if (optimizer != null) {
            if (!Files.exists(c.file(OPTIMIZER_FILE))) {
                throw new CheckpointException(c.directory() + ": no " + OPTIMIZER_FILE + " to resume the optimizer from");
            }
            try (SafetensorsFile moments = SafetensorsFile.open(c.file(OPTIMIZER_FILE))) {
                long optimizerStep = state.path("optimizer").path("step").asLong(state.path("step").asLong());
                optimizer.loadState(moments, optimizerStep);
            }
        }
        return state;
    }

    /**
     * Reads every parameter from a safetensors file, by name, into its live value.
     *
     * @throws CheckpointException if a parameter is missing or has another shape, or the file holds tensors that
     *                             belong to no parameter (it is another model's)
     */
    public static void loadParameters(Path file, List<Parameter> parameters) {
        try (SafetensorsFile store = SafetensorsFile.open(file)) {
            List<String> unclaimed = new ArrayList<>(store.names());
            for (Parameter p : parameters) {
                if (!store.contains(p.name())) {
                    throw new CheckpointException(file + ": no tensor " + p.name());
                }
                TensorInfo info = store.info(p.name());
                if (!Arrays.equals(info.shape(), p.value().shape())) {
                    throw new CheckpointException(file + ": tensor " + p.name() + " has shape " + info.shapeString()
                            + ", the model expects " + Arrays.toString(p.value().shape()));
                }
                store.readFloats(p.name(), FloatBuffers.of(p.value(), p.name()));
                unclaimed.remove(p.name());
            }
            if (!unclaimed.isEmpty()) {
                throw new CheckpointException(file + ": tensors that belong to no parameter of this model: " + unclaimed);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- file system

    private void removeLeftovers() {
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(TEMP_PREFIX) || n.startsWith(TRASH_PREFIX) || (n.startsWith("." + LATEST_FILE + ".") && n.endsWith(".tmp"))) {
                    deleteTree(p);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot clean up interrupted checkpoint writes in " + root + ": " + describe(e), e);
        }
    }

    private static Map<String, Long> fileSizes(Path dir) throws IOException {
        Map<String, Long> sizes = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    sizes.put(dir.relativize(p).toString().replace('\\', '/'), Files.size(p));
                }
            }
        }
        return sizes;
    }

    /** fsync every file, then every directory from the leaves up, so the rename publishes durable content. */
    private static void fsyncTree(Path dir) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(dir)) {
            all = new ArrayList<>(walk.toList());
        }
        for (Path p : all) {
            if (Files.isRegularFile(p)) {
                try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
                    c.force(true);
                }
            }
        }
        all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path p : all) {
            if (Files.isDirectory(p)) {
                AtomicFile.fsyncDirectory(p);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> walk = Files.walk(p)) {
            all = new ArrayList<>(walk.toList());
        }
        all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path q : all) {
            Files.deleteIfExists(q);
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        String m = t.getMessage();
        if (t instanceof NoSuchFileException) {
            return "no such file " + m;
        }
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private void closeQuietly() {
        try {
            lockChannel.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    /** Releases the directory lock. */
    @Override
    public void close() {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException ignored) {
            // the channel close below releases it as well
        }
        closeQuietly();
    }
}
