package dev.bertj.core.head;

import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderOutput;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One encoder and the heads on it. Builds the {@link HeadContext} heads see and finds each head where it lives:
 * a fine-tuned head in {@code heads/<id>/} of the model directory first, else a head the checkpoint itself
 * carries (e.g. the masked-LM head of a pre-training checkpoint). The factories come from the caller (the plugin
 * runtime in the service) or from {@link ServiceLoader} for plain Java use.
 */
public final class HeadHost implements HeadContext {

    private final BertModel model;
    private final WordPieceTokenizer tokenizer;
    private final Path modelDir;
    private final Rng rng;
    private final Map<String, HeadFactory> factories = new LinkedHashMap<>();
    private final Map<String, TaskHead<?, ?, ?>> heads = new ConcurrentHashMap<>();
    private final EncoderRunner runner;

    public HeadHost(BertModel model, WordPieceTokenizer tokenizer, Path modelDir, Collection<HeadFactory> factories,
                    long seed) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.modelDir = modelDir;
        this.rng = new Rng(seed);
        for (HeadFactory f : factories) {
            this.factories.putIfAbsent(f.descriptor().id(), f);
        }
        this.runner = this::encode;
    }

    /** Head factories visible to {@code loader} through {@link ServiceLoader}. */
    public static List<HeadFactory> discover(ClassLoader loader) {
        List<HeadFactory> out = new ArrayList<>();
        ServiceLoader.load(HeadFactory.class, loader).forEach(out::add);
        return out;
    }

    public static List<HeadFactory> discover() {
        return discover(Thread.currentThread().getContextClassLoader());
    }

    /** Ids of the heads this host can create (every registered factory). */
    public List<String> factoryIds() {
        return List.copyOf(factories.keySet());
    }

    public Optional<HeadFactory> factory(String id) {
        return Optional.ofNullable(factories.get(id));
    }

    /**
     * The head {@code id} for answering: from {@code heads/<id>/} if saved there, else from the checkpoint.
     *
     * @throws java.util.NoSuchElementException naming the head and where it looked, when there is none
     */
    @SuppressWarnings("unchecked")
    public <Q, R> TaskHead<Q, R, ?> head(String id) {
        return (TaskHead<Q, R, ?>) heads.computeIfAbsent(id, this::find);
    }

    /** Heads this model has (saved or carried by the checkpoint), by id. */
    public List<String> availableHeads() {
        List<String> ids = new ArrayList<>();
        for (String id : factories.keySet()) {
            try {
                head(id);
                ids.add(id);
            } catch (java.util.NoSuchElementException e) {
                // not available for this model
            }
        }
        return ids;
    }

    private TaskHead<?, ?, ?> find(String id) {
        HeadFactory f = factories.get(id);
        if (f == null) {
            throw new java.util.NoSuchElementException("no head plugin '" + id + "' is installed (installed: "
                    + factories.keySet() + ")");
        }
        if (modelDir != null) {
            Path dir = HeadFiles.dir(modelDir, id);
            if (Files.isRegularFile(dir.resolve(HeadFiles.CONFIG))) {
                try {
                    return f.load(this, dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(dir + ": cannot load head '" + id + "': " + e.getMessage(), e);
                }
            }
        }
        return f.fromModel(this).orElseThrow(() -> new java.util.NoSuchElementException("model "
                + (modelDir == null ? "(in memory)" : modelDir.toString()) + " has no '" + id + "' head: fine-tune one "
                + "with ./bert finetune --head " + id));
    }

    /** A fresh head for fine-tuning (its output layer starts from scratch). */
    public TaskHead<?, ?, ?> freshHead(String id, Map<String, String> options) {
        HeadFactory f = factory(id).orElseThrow(() -> new java.util.NoSuchElementException(
                "no head plugin '" + id + "' is installed (installed: " + factories.keySet() + ")"));
        return f.create(this, options);
    }

    /** Replaces the cached head (after fine-tuning). */
    public void put(TaskHead<?, ?, ?> head) {
        heads.put(head.descriptor().id(), head);
    }

    public BertModel model() {
        return model;
    }

    // ---- HeadContext ----------------------------------------------------------------------------------------

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
        return model.parameters().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    @Override
    public Path modelDir() {
        return modelDir;
    }

    @Override
    public Rng rng() {
        return rng;
    }

    private EncoderOutputs encode(EncoderBatch batch) {
        EncoderOutput out = model.forward(batch.toEncoderInput());
        int h = out.hiddenSize();
        var sequence = Nd4j.create(out.lastHiddenState(), new long[] {(long) out.batch() * out.seqLen(), h}, 'c');
        var pooled = out.hasPooler() ? Nd4j.create(pooledAll(out), new long[] {out.batch(), h}, 'c') : null;
        return new EncoderOutputs(batch, sequence, pooled);
    }

    private static float[] pooledAll(EncoderOutput out) {
        int h = out.hiddenSize();
        float[] all = new float[out.batch() * h];
        for (int b = 0; b < out.batch(); b++) {
            System.arraycopy(out.pooled(b), 0, all, b * h, h);
        }
        return all;
    }
}
