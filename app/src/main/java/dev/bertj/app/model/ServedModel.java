package dev.bertj.app.model;

import dev.bertj.app.batch.DynamicBatcher;
import dev.bertj.app.batch.Encoded;
import dev.bertj.app.batch.Pooling;
import dev.bertj.core.head.EncoderBatch;
import dev.bertj.core.head.EncoderOutputs;
import dev.bertj.core.head.EncoderRunner;
import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Encoding;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model being served: its encoder behind a {@link DynamicBatcher}, its tokenizer, and the heads found for it.
 * It is the {@link HeadContext} of those heads, so every head's encoder call goes through the batcher and is
 * grouped with other requests (embeddings and other heads alike).
 *
 * <p>Requests hold a {@link Lease} while they use the model; unloading waits for the last lease before the
 * encoder's memory is released, so requests in flight finish.
 */
public final class ServedModel implements HeadContext {

    /** A head attached to this model, and the plugin (id and provider) that made it. */
    public record HostedHead(String pluginId, HeadFactory factory, TaskHead<?, ?, ?> head, String from) {
    }

    private final String id;
    private final Path dir;
    private final String source;
    private final BertModel model;
    private final WordPieceTokenizer tokenizer;
    private final DynamicBatcher batcher;
    private final Rng rng;
    private final Map<String, Parameter> parameters = new HashMap<>();
    private final Map<String, HostedHead> heads = new ConcurrentHashMap<>();
    /** Head ids that exist as plugins but have no weights for this model (or failed to load), with why. */
    private final Map<String, String> missingHeads = new ConcurrentHashMap<>();
    private final EncoderRunner runner = this::encodeBatch;
    private final Instant loadedAt = Instant.now();
    private final AtomicInteger leases = new AtomicInteger();
    private volatile boolean unloading;
    private volatile boolean closed;

    ServedModel(String id, Path dir, String source, BertModel model, WordPieceTokenizer tokenizer,
                DynamicBatcher.Settings settings, dev.bertj.app.batch.BatchListener listener) {
        this.id = id;
        this.dir = dir;
        this.source = source;
        this.model = model;
        this.tokenizer = tokenizer;
        this.rng = new Rng(42);
        for (Parameter p : model.parameters()) {
            parameters.put(p.name(), p);
        }
        this.batcher = new DynamicBatcher(id, model::forward, settings, listener);
    }

    public String id() {
        return id;
    }

    public Path dir() {
        return dir;
    }

    /** How the model was named when loaded: a well-known name or a directory name. */
    public String source() {
        return source;
    }

    public Instant loadedAt() {
        return loadedAt;
    }

    public DynamicBatcher batcher() {
        return batcher;
    }

    public BertModel model() {
        return model;
    }

    // ---- leases ----------------------------------------------------------------------------------------------

    /** Held by a request for as long as it uses this model. */
    public final class Lease implements AutoCloseable {
        private boolean released;

        public ServedModel model() {
            return ServedModel.this;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                if (leases.decrementAndGet() == 0 && unloading) {
                    release();
                }
            }
        }
    }

    /** A lease, or empty if the model is being unloaded. */
    Optional<Lease> lease() {
        leases.incrementAndGet();
        if (unloading) {
            if (leases.decrementAndGet() == 0) {
                release();
            }
            return Optional.empty();
        }
        return Optional.of(new Lease());
    }

    /** Stops new leases; the encoder is released once the last one closes. */
    void unload() {
        unloading = true;
        if (leases.get() == 0) {
            release();
        }
    }

    private synchronized void release() {
        if (!closed && leases.get() == 0) {
            closed = true;
            batcher.close();
            model.close();
        }
    }

    public boolean unloading() {
        return unloading;
    }

    // ---- heads -----------------------------------------------------------------------------------------------

    /**
     * Attaches the head of {@code factory} if this model has one: a saved {@code heads/<id>/} first, else the
     * checkpoint's own. A head that fails to load is recorded as missing with its reason; the model serves on.
     */
    void attach(String pluginId, HeadFactory factory) {
        String headId = factory.descriptor().id();
        try {
            Path saved = dir == null ? null : HeadFiles.dir(dir, headId);
            TaskHead<?, ?, ?> head;
            String from;
            if (saved != null && Files.isRegularFile(saved.resolve(HeadFiles.CONFIG))) {
                head = factory.load(this, saved);
                from = "heads/" + headId;
            } else {
                head = factory.fromModel(this).orElse(null);
                from = "checkpoint";
            }
            if (head == null) {
                missingHeads.put(headId, "model '" + id + "' has no weights for head '" + headId
                        + "' (fine-tune one with POST /v1/jobs)");
                heads.remove(headId);
            } else {
                heads.put(headId, new HostedHead(pluginId, factory, head, from));
                missingHeads.remove(headId);
            }
        } catch (Exception | LinkageError e) {
            heads.remove(headId);
            missingHeads.put(headId, "head '" + headId + "' failed to load for model '" + id + "': " + e);
        }
    }

    /** Removes the heads made by {@code factory} (its plugin stopped). */
    void detach(HeadFactory factory) {
        heads.values().removeIf(h -> h.factory() == factory);
        missingHeads.remove(factory.descriptor().id());
    }

    /** Heads made by providers not in {@code live}: their plugin is gone. */
    List<HeadFactory> staleFactories(java.util.Collection<HeadFactory> live) {
        List<HeadFactory> stale = new ArrayList<>();
        for (HostedHead h : heads.values()) {
            if (live.stream().noneMatch(f -> f == h.factory())) {
                stale.add(h.factory());
            }
        }
        return stale;
    }

    boolean hosts(HeadFactory factory) {
        return heads.values().stream().anyMatch(h -> h.factory() == factory);
    }

    public Optional<HostedHead> head(String headId) {
        return Optional.ofNullable(heads.get(headId));
    }

    /** Attached heads by id, sorted. */
    public Map<String, HostedHead> heads() {
        return Collections.unmodifiableMap(new TreeMap<>(heads));
    }

    /** Why a head id is not served by this model, if it is known to be missing. */
    public Optional<String> missingHead(String headId) {
        return Optional.ofNullable(missingHeads.get(headId));
    }

    // ---- embeddings ------------------------------------------------------------------------------------------

    /**
     * One vector per text. Texts longer than the model reads are cut to fit when {@code truncate}, else refused.
     *
     * @throws IllegalArgumentException naming the text that is too long or the pooling the model cannot do
     */
    public float[][] embed(List<String> texts, Pooling pooling, boolean normalize, boolean truncate) {
        if (pooling == Pooling.POOLER && !model.hasPooler()) {
            throw new IllegalArgumentException("model '" + id + "' has no pooler; use pooling 'mean' or 'cls'");
        }
        int max = maxLength();
        EncodeOptions opts = truncate ? EncodeOptions.truncate(max) : EncodeOptions.DEFAULT;
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            Encoding e = tokenizer.encode(texts.get(i), null, opts);
            if (e.length() > max) {
                throw new IllegalArgumentException((texts.size() > 1 ? "text " + i + " is " : "the text is ")
                        + e.length() + " tokens long; model '" + id + "' reads at most " + max
                        + " (send \"truncate\": true to cut it)");
            }
            encodings.add(e);
        }
        EncoderBatch batch = EncoderBatch.pad(encodings, tokenizer.vocabulary().padId());
        Encoded out = batcher.encode(batch.toEncoderInput());
        float[][] vectors = new float[texts.size()][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = pooling.pool(out, i, encodings.get(i).length(), normalize);
        }
        return vectors;
    }

    /** The longest input the model reads, in tokens. */
    public int maxLength() {
        return model.config().maxPositionEmbeddings();
    }

    // ---- HeadContext -----------------------------------------------------------------------------------------

    @Override
    public BertConfig config() {
        return model.config();
    }

    @Override
    public WordPieceTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public EncoderRunner encoder() {
        return runner;
    }

    @Override
    public Optional<Parameter> encoderParameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    @Override
    public Path modelDir() {
        return dir;
    }

    @Override
    public Rng rng() {
        return rng;
    }

    /** Heads' encoder calls: through the batcher, answered in the head's own padded shape. */
    private EncoderOutputs encodeBatch(EncoderBatch batch) {
        Encoded out = batcher.encode(batch.toEncoderInput());
        int h = out.hidden();
        var sequence = Nd4j.create(out.lastHiddenState(), new long[] {(long) out.batch() * out.seqLen(), h}, 'c');
        var pooled = out.pooled() == null ? null : Nd4j.create(out.pooled(), new long[] {out.batch(), h}, 'c');
        return new EncoderOutputs(batch, sequence, pooled);
    }
}
