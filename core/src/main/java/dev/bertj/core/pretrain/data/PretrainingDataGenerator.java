package dev.bertj.core.pretrain.data;

import dev.bertj.core.nn.Rng;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Masked-LM and next-sentence-prediction training instances from text in Google's pre-training format (one
 * sentence per line, blank lines between documents), with the semantics of google-research/bert's
 * {@code create_pretraining_data.py} (see {@link InstanceCreator} and {@link MaskedLmMasking}), streamed.
 *
 * <p>The reference reads the whole corpus, shuffles its documents, makes instances from every document
 * {@code dupe_factor} times, and shuffles all instances. This generator does exactly that per shard: the input is
 * cut into shards of whole documents (see {@link PretrainingOptions#shardTokens()}), each shard is generated as
 * the reference generates a corpus, and its instances are handed out one by one before the next shard is read.
 * With a shard bound larger than the corpus the output follows the reference's algorithm on the whole corpus.
 * A random next segment comes from another document of the same shard.
 *
 * <p>Everything is drawn from one {@link Rng} seeded with {@link PretrainingOptions#seed()}, so the same input,
 * vocabulary and options give the same instances. {@link #position()} after any instance can be saved, and
 * {@link #resume} continues with exactly the instances that would have followed.
 *
 * <p>Not thread-safe: one consumer.
 */
public final class PretrainingDataGenerator implements Closeable {

    private final List<Path> files;
    private final WordPieceIds vocab;
    private final PretrainingOptions options;
    private final long fingerprint;
    private final InstanceCreator creator;
    private final Rng rng;

    private int epoch;
    private long shardIndex;
    // Where the current (or, before the first next(), the pending) shard starts.
    private int shardFile;
    private long shardOffset;
    private long[] shardRngState;
    private int toSkip;

    private DocumentReader reader;
    private List<TrainingInstance> instances; // the current shard's instances; null before the first shard
    private int consumed;
    private boolean passEnded;                // the current shard is the last of its pass
    private int nextFile;                     // where the next shard starts, when !passEnded
    private long nextOffset;
    private boolean finished;

    private PretrainingDataGenerator(List<Path> files, WordPieceIds vocab, PretrainingOptions options,
                                     DataPosition start) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no input files");
        }
        this.files = List.copyOf(files);
        this.vocab = vocab;
        this.options = options;
        this.fingerprint = fingerprint(this.files, vocab, options);
        this.creator = new InstanceCreator(vocab, options);
        if (start == null) {
            this.rng = new Rng(options.seed());
            this.shardRngState = rng.state();
            return;
        }
        if (start.fingerprint() != fingerprint) {
            throw new IllegalArgumentException("the saved data position was made with other options, another"
                    + " vocabulary or other input files (fingerprint " + Long.toHexString(start.fingerprint())
                    + ", these inputs give " + Long.toHexString(fingerprint) + ")");
        }
        if (start.fileIndex() >= this.files.size()
                || !fileName(this.files.get(start.fileIndex())).equals(start.fileName())) {
            throw new IllegalArgumentException("the saved data position points at file #" + start.fileIndex()
                    + " '" + start.fileName() + "', which is not input file #" + start.fileIndex() + " here");
        }
        this.rng = Rng.ofState(start.rngState());
        this.epoch = start.epoch();
        this.shardIndex = start.shard();
        this.shardFile = start.fileIndex();
        this.shardOffset = start.offset();
        this.shardRngState = start.rngState();
        this.toSkip = start.consumed();
        this.finished = options.epochs() > 0 && epoch >= options.epochs();
    }

    /** A generator at the start of the input. */
    public static PretrainingDataGenerator open(List<Path> files, WordPieceIds vocab, PretrainingOptions options) {
        return new PretrainingDataGenerator(files, vocab, options, null);
    }

    /** A generator continuing from a position saved by {@link #position()}, with the same inputs and options. */
    public static PretrainingDataGenerator resume(List<Path> files, WordPieceIds vocab, PretrainingOptions options,
                                                  DataPosition position) {
        if (position == null) {
            throw new IllegalArgumentException("position is null");
        }
        return new PretrainingDataGenerator(files, vocab, options, position);
    }

    /**
     * The input files for a path: the file itself, or a directory's regular, non-hidden files sorted by name.
     */
    public static List<Path> inputFiles(Path fileOrDirectory) throws IOException {
        if (Files.isRegularFile(fileOrDirectory)) {
            return List.of(fileOrDirectory);
        }
        if (!Files.isDirectory(fileOrDirectory)) {
            throw new IOException("no such corpus file or directory: " + fileOrDirectory);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(fileOrDirectory)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> !fileName(p).startsWith("."))
                    .sorted()
                    .toList();
        }
        if (files.isEmpty()) {
            throw new IOException("corpus directory " + fileOrDirectory + " holds no files");
        }
        return files;
    }

    public PretrainingOptions options() {
        return options;
    }

    /** The next instance, or null when the configured passes are done. */
    public TrainingInstance next() throws IOException {
        if (finished) {
            return null;
        }
        if (instances == null) {
            loadShard(shardFile, shardOffset, true);
            if (toSkip > instances.size()) {
                throw new IllegalArgumentException("the saved data position says " + toSkip + " instances of shard "
                        + shardIndex + " were used, but the shard has only " + instances.size()
                        + ": the input changed since the position was saved");
            }
            consumed = toSkip;
        }
        while (consumed == instances.size()) {
            shardIndex++;
            if (passEnded) {
                epoch++;
                if (options.epochs() > 0 && epoch >= options.epochs()) {
                    finished = true;
                    instances = List.of();
                    consumed = 0;
                    return null;
                }
                loadShard(0, 0, true);
            } else {
                loadShard(nextFile, nextOffset, false);
            }
        }
        return instances.get(consumed++);
    }

    /** Where this generator stands: resuming there continues with the instance {@link #next()} would return. */
    public DataPosition position() {
        if (instances != null && consumed == instances.size()) {
            // At a shard's end the position is the next shard's start, so resuming need not regenerate this one.
            long[] state = rng.state();
            if (finished) {
                return at(epoch, shardIndex, 0, 0, state, 0);
            }
            if (passEnded) {
                return at(epoch + 1, shardIndex + 1, 0, 0, state, 0);
            }
            return at(epoch, shardIndex + 1, nextFile, nextOffset, state, 0);
        }
        int used = instances == null ? toSkip : consumed;
        return at(epoch, shardIndex, shardFile, shardOffset, shardRngState, used);
    }

    private DataPosition at(int e, long shard, int file, long offset, long[] state, int used) {
        return new DataPosition(e, shard, file, fileName(files.get(file)), offset, state, used, fingerprint);
    }

    /** Reads the shard starting at (file, offset) and generates its instances from the RNG's current state. */
    private void loadShard(int file, long offset, boolean reopen) throws IOException {
        if (reopen || reader == null) {
            if (reader != null) {
                reader.close();
            }
            reader = new DocumentReader(files, vocab, file, offset);
        }
        shardFile = file;
        shardOffset = offset;
        shardRngState = rng.state();

        List<int[][]> documents = readShardDocuments();
        if (!passEnded) {
            DocumentReader.TokenizedDocument following = reader.peek();
            nextFile = following.fileIndex();
            nextOffset = following.startOffset();
        }

        // create_training_instances, on this shard.
        rng.shuffle(documents);
        List<TrainingInstance> out = new ArrayList<>();
        for (int dupe = 0; dupe < options.dupeFactor(); dupe++) {
            for (int d = 0; d < documents.size(); d++) {
                creator.createInstances(documents, d, rng, out);
            }
        }
        rng.shuffle(out);
        instances = out;
        consumed = 0;
    }

    private List<int[][]> readShardDocuments() throws IOException {
        List<int[][]> documents = new ArrayList<>();
        long tokens = 0;
        passEnded = false;
        while (true) {
            DocumentReader.TokenizedDocument d = reader.next();
            if (d == null) {
                passEnded = true;
                break;
            }
            documents.add(d.sentences());
            tokens += d.tokenCount();
            if (tokens >= options.shardTokens() && documents.size() >= 2) {
                int following = reader.available(2);
                if (following == 1) {
                    // A lone last document would make a one-document shard, which has no other document for
                    // random next segments: it joins this shard instead.
                    documents.add(reader.next().sentences());
                }
                passEnded = following < 2;
                break;
            }
        }
        if (documents.size() < 2) {
            throw new IllegalArgumentException("the corpus holds " + documents.size() + " document(s) with text;"
                    + " next-sentence prediction needs at least two (separate documents with a blank line)");
        }
        return documents;
    }

    private static String fileName(Path p) {
        Path name = p.getFileName();
        return name == null ? p.toString() : name.toString();
    }

    /** FNV-1a over everything that shapes the instances; the number of passes does not. */
    private static long fingerprint(List<Path> files, WordPieceIds vocab, PretrainingOptions o) {
        StringBuilder sb = new StringBuilder();
        sb.append(o.maxSeqLength()).append('|').append(o.maxPredictionsPerSeq()).append('|')
                .append(o.maskedLmProb()).append('|').append(o.shortSeqProb()).append('|')
                .append(o.dupeFactor()).append('|').append(o.wholeWordMask()).append('|')
                .append(o.seed()).append('|').append(o.shardTokens()).append('|').append(vocab.vocabSize());
        for (Path f : files) {
            sb.append('|').append(fileName(f));
        }
        long h = 0xcbf29ce484222325L;
        for (byte b : sb.toString().getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public void close() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            reader = null;
        }
    }
}
