package dev.bertj.core.model;

import dev.bertj.core.engine.CpuSetup;
import dev.bertj.core.engine.Parallel;
import dev.bertj.core.engine.WorkspacePool;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.SafetensorsWriter;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TensorStore;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Parameters;
import dev.bertj.core.nn.Rng;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * BERT: embeddings, the encoder stack and the pooler, plus the masked-LM head when the checkpoint has one
 * (Google's and Hugging Face's pre-training checkpoints do). Parameters carry Hugging Face names, so any HF BERT
 * checkpoint maps onto it one-to-one, and {@link #save(Path)} writes one HF loads.
 *
 * <p>{@link #forward(EncoderInput)} is safe for concurrent callers: the parameters are only read, and each
 * call borrows its own activation workspace from a pool.
 */
public final class BertModel implements AutoCloseable {

    /** File names of the native (Hugging Face) model directory. */
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";

    private final BertConfig config;
    private final Parameters params = new Parameters();
    final BertEmbeddings embeddings;
    final BertEncoder encoder;
    final BertPooler pooler;
    final BertLMPredictionHead mlmHead;
    private final WorkspacePool<BertActivations> workspaces;

    private BertModel(BertConfig config, boolean withPooler, boolean withMlmHead) {
        CpuSetup.ensure();
        this.config = config;
        embeddings = new BertEmbeddings(config, params, "embeddings.");
        encoder = new BertEncoder(config, params, "encoder.");
        pooler = withPooler ? new BertPooler(config, params, "pooler.") : null;
        mlmHead = withMlmHead ? new BertLMPredictionHead(config, params, "cls.predictions.", embeddings) : null;
        workspaces = new WorkspacePool<>(() -> new BertActivations(config, false), Math.max(2, Parallel.threads()));
        CpuSetup.report();
    }

    /** A model whose parameters are all zero (to be loaded or initialised). */
    public static BertModel create(BertConfig config, boolean withPooler, boolean withMlmHead) {
        return new BertModel(config, withPooler, withMlmHead);
    }

    /**
     * A freshly initialised model for pre-training from scratch, as Hugging Face initialises BERT: weights and
     * embeddings from N(0, initializer_range), the padding token's embedding 0, biases 0, LayerNorm 1 and 0.
     */
    public static BertModel initialize(BertConfig config, long seed) {
        BertModel m = new BertModel(config, true, true);
        Rng rng = new Rng(seed);
        for (Parameter p : m.params.list()) {
            FloatBuffer v = Floats.of(p.value()).buffer();
            String n = p.name();
            boolean matrix = p.value().rank() == 2;
            float constant = n.contains("LayerNorm.weight") ? 1f : 0f;
            for (int i = 0; i < v.capacity(); i++) {
                v.put(i, matrix ? (float) (rng.nextGaussian() * config.initializerRange()) : constant);
            }
        }
        int pad = config.padTokenId();
        if (pad >= 0 && pad < config.vocabSize()) {
            FloatBuffer w = Floats.of(m.embeddings.wordEmbeddings.value()).buffer();
            for (int j = 0; j < config.hiddenSize(); j++) {
                w.put(pad * config.hiddenSize() + j, 0f);
            }
        }
        return m;
    }

    /** Loads a native model directory: {@code config.json} and {@code model.safetensors}. */
    public static BertModel load(Path dir) {
        Path configFile = dir.resolve(CONFIG_FILE);
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(dir + ": not a model directory (no " + CONFIG_FILE + ")");
        }
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException(dir + ": no " + WEIGHTS_FILE);
        }
        BertConfig config = BertConfig.read(configFile);
        try (SafetensorsFile store = SafetensorsFile.open(weights)) {
            return load(config, store);
        }
    }

    /**
     * Builds the model {@code config} describes and reads every parameter from {@code store}, which uses
     * Hugging Face names with or without the {@code bert.} prefix. The pooler and the masked-LM head are loaded
     * when the store has them.
     *
     * @throws CheckpointException naming the source and tensor when a tensor is missing or its shape disagrees
     *                             with the config
     */
    public static BertModel load(BertConfig config, TensorStore store) {
        String prefix;
        if (store.contains(WORD_EMBEDDINGS)) {
            prefix = "";
        } else if (store.contains("bert." + WORD_EMBEDDINGS)) {
            prefix = "bert.";
        } else {
            throw new CheckpointException(store.source() + ": missing tensor " + WORD_EMBEDDINGS
                    + " (nor bert." + WORD_EMBEDDINGS + "): not a BERT checkpoint");
        }
        boolean pooler = store.contains(prefix + "pooler.dense.weight") || store.contains(prefix + "pooler.dense.bias");
        boolean mlm = store.names().stream().anyMatch(n -> n.startsWith("cls.predictions."));
        BertModel m = new BertModel(config, pooler, mlm);
        Map<String, Parameter> byStoreName = new HashMap<>();
        for (Parameter p : m.params.list()) {
            String name = storeName(store, prefix, p.name());
            TensorInfo info = store.info(name);
            long[] expected = p.value().shape();
            if (!Arrays.equals(info.shape(), expected)) {
                throw new CheckpointException(store.source() + ": tensor " + name + " has shape "
                        + info.shapeString() + " but the config (hidden_size " + config.hiddenSize()
                        + ", intermediate_size " + config.intermediateSize() + ", vocab_size " + config.vocabSize()
                        + ", max_position_embeddings " + config.maxPositionEmbeddings() + ", type_vocab_size "
                        + config.typeVocabSize() + ") needs " + Arrays.toString(expected));
            }
            byStoreName.put(name, p);
        }
        // In the store's order: a streamed source (a checkpoint inside a compressed jar) is then read front to back.
        for (String name : store.names()) {
            Parameter p = byStoreName.get(name);
            if (p != null) {
                store.readFloats(name, Floats.of(p.value()).buffer().duplicate());
            }
        }
        return m;
    }

    private static String storeName(TensorStore store, String prefix, String name) {
        String candidate = name.startsWith("cls.") ? name : prefix + name;
        if (store.contains(candidate)) {
            return candidate;
        }
        if (name.equals("cls.predictions.bias") && store.contains("cls.predictions.decoder.bias")) {
            return "cls.predictions.decoder.bias";
        }
        throw new CheckpointException(store.source() + ": missing tensor " + candidate);
    }

    /** Writes the native model directory: {@code config.json} and {@code model.safetensors} (float32, HF names). */
    public void save(Path dir) throws IOException {
        save(dir, DType.F32);
    }

    /** As {@link #save(Path)}, storing the weights as {@code dtype} (F32, F16 or BF16). */
    public void save(Path dir, DType dtype) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter writer = new SafetensorsWriter(dtype);
        for (Parameter p : params.list()) {
            Floats values = Floats.of(p.value());
            writer.add(p.name(), p.value().shape(), dst -> dst.put(values.buffer().duplicate()));
        }
        writer.write(dir.resolve(WEIGHTS_FILE));
        config.write(dir.resolve(CONFIG_FILE));
    }

    public BertConfig config() {
        return config;
    }

    /** Every parameter, HF names, in checkpoint order (encoder, pooler, masked-LM head). */
    public List<Parameter> parameters() {
        return params.list();
    }

    public Parameter parameter(String name) {
        return params.get(name);
    }

    public boolean hasPooler() {
        return pooler != null;
    }

    public boolean hasMlmHead() {
        return mlmHead != null;
    }

    public Optional<BertLMPredictionHead> mlmHead() {
        return Optional.ofNullable(mlmHead);
    }

    /** Runs the encoder (and pooler) on a batch; thread-safe. */
    public EncoderOutput forward(EncoderInput input) {
        BertActivations act = workspaces.acquire();
        try {
            forward(input, act);
            int n = act.tokens * config.hiddenSize();
            float[] last = new float[n];
            act.lastHiddenState().copyTo(0, last, 0, n);
            float[] pooled = null;
            if (pooler != null) {
                pooled = new float[act.batch * config.hiddenSize()];
                act.pooled.copyTo(0, pooled, 0, pooled.length);
            }
            return new EncoderOutput(act.batch, act.seqLen, config.hiddenSize(), last, pooled, input.attentionMask());
        } finally {
            workspaces.release(act);
        }
    }

    /**
     * Runs the forward pass into a workspace the caller owns (one thread at a time per workspace), without dropout
     * (inference, or evaluation in a training workspace).
     */
    public void forward(EncoderInput input, BertActivations act) {
        act.dropout = false;
        run(input, act);
    }

    /**
     * The training forward pass: dropout on (hidden_dropout_prob after the embeddings and in each sub-layer's
     * output, attention_probs_dropout_prob on the attention probabilities), every mask kept in {@code act} for
     * {@link #backward}. The masks are a pure function of one number drawn from {@code dropout}, so the same
     * generator state gives the same pass on any number of cores.
     *
     * @param act a training workspace ({@link #newActivations(boolean) newActivations(true)})
     */
    public void forward(EncoderInput input, BertActivations act, Rng dropout) {
        if (!act.training) {
            throw new IllegalArgumentException("the training forward pass needs a training workspace: "
                    + "newActivations(true)");
        }
        act.dropout = config.hiddenDropoutProb() > 0 || config.attentionProbsDropoutProb() > 0;
        act.dropoutKey = dropout.nextLong();
        run(input, act);
    }

    /**
     * The backward pass of the last forward pass into {@code act} (a training workspace): from d(loss)/d(sequence
     * output) {@code dSequenceOutput} [batch * seqLen, hidden] and d(loss)/d(pooled output) {@code dPooledOutput}
     * [batch, hidden] (either may be null: zero), through the pooler, every layer and the embeddings, ADDING each
     * trainable parameter's gradient into {@link Parameter#grad()}; frozen parameters are skipped. The inputs are
     * only read. Allocates nothing after the first call for a given batch shape.
     */
    public void backward(BertActivations act, Floats dSequenceOutput, Floats dPooledOutput) {
        if (act.config != config) {
            throw new IllegalArgumentException("activations were made for another model config");
        }
        int n = act.tokens * config.hiddenSize();
        if (dSequenceOutput != null && dSequenceOutput.length() < n) {
            throw new IllegalArgumentException("dSequenceOutput holds " + dSequenceOutput.length() + " floats, the batch "
                    + "has " + n);
        }
        if (dPooledOutput != null) {
            if (pooler == null) {
                throw new IllegalArgumentException("this model has no pooler to take a pooled-output gradient");
            }
            if (dPooledOutput.length() < act.batch * config.hiddenSize()) {
                throw new IllegalArgumentException("dPooledOutput holds " + dPooledOutput.length() + " floats, the "
                        + "batch has " + act.batch * config.hiddenSize());
            }
        }
        BertBackwardBuffers g = act.backwardBuffers();
        if (!anyEncoderParameterTrains()) {
            return;
        }
        Floats d = g.hiddenA;
        Floats other = g.hiddenB;
        if (dSequenceOutput != null) {
            d.copyFrom(dSequenceOutput, 0, 0, n);
        } else {
            d.fill(0f);
        }
        if (dPooledOutput != null) {
            pooler.backward(act, dPooledOutput, d, g);
        }
        BertLayer[] layers = encoder.layers;
        for (int l = layers.length - 1; l >= 0; l--) {
            layers[l].backward(act, d, other, g);
            Floats t = d;
            d = other;
            other = t;
        }
        embeddings.backward(act, d);
    }

    private boolean anyEncoderParameterTrains() {
        for (Parameter p : params.list()) {
            if (!p.name().startsWith("cls.") && p.trainable()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Masked-LM logits for the first {@code count} entries of {@code rows} (flat token indices {@code b * seqLen +
     * s}) of the last hidden state in {@code act}, into {@code head} ({@link BertLMPredictionHead.Activations#logits()},
     * [count, vocab]).
     */
    public void maskedLmForward(BertActivations act, int[] rows, int count, BertLMPredictionHead.Activations head) {
        if (mlmHead == null) {
            throw new IllegalStateException("this model has no masked-LM head (no cls.predictions tensors)");
        }
        for (int i = 0; i < count; i++) {
            if (rows[i] < 0 || rows[i] >= act.tokens) {
                throw new IllegalArgumentException("position " + rows[i] + " outside the batch's " + act.tokens
                        + " tokens");
            }
        }
        mlmHead.forward(act.lastHiddenState(), rows, count, head);
    }

    /**
     * The masked-LM head's backward for its last forward: {@code head.logits()} must hold d(loss)/d(logits). Adds
     * the head's gradients (the decoder's into the tied word embeddings) and ADDS each position's gradient into
     * {@code dSequenceOutput} [batch * seqLen, hidden], ready for {@link #backward}.
     */
    public void maskedLmBackward(int[] rows, BertLMPredictionHead.Activations head, Floats dSequenceOutput) {
        if (mlmHead == null) {
            throw new IllegalStateException("this model has no masked-LM head (no cls.predictions tensors)");
        }
        mlmHead.backward(head, rows, dSequenceOutput);
    }

    private void run(EncoderInput input, BertActivations act) {
        if (act.config != config) {
            throw new IllegalArgumentException("activations were made for another model config");
        }
        validate(input);
        act.prepare(input);
        embeddings.forward(act);
        encoder.forward(act);
        if (pooler != null) {
            pooler.forward(act);
        }
    }

    /** A workspace for {@link #forward(EncoderInput, BertActivations)}; training keeps every layer's buffers. */
    public BertActivations newActivations(boolean training) {
        return new BertActivations(config, training);
    }

    /**
     * Masked-LM scores: for each position in {@code positions} (flat indices {@code b * seqLen + s}), a score
     * for every vocabulary entry, [positions.length][vocab].
     */
    public float[][] maskedLmLogits(EncoderInput input, int[] positions) {
        if (mlmHead == null) {
            throw new IllegalStateException("this model has no masked-LM head (no cls.predictions tensors)");
        }
        for (int p : positions) {
            if (p < 0 || p >= input.tokens()) {
                throw new IllegalArgumentException("position " + p + " outside the batch's " + input.tokens() + " tokens");
            }
        }
        BertActivations act = workspaces.acquire();
        try (BertLMPredictionHead.Activations head = mlmHead.newActivations(Math.max(1, positions.length))) {
            forward(input, act);
            mlmHead.forward(act.lastHiddenState(), positions, head);
            int vocab = config.vocabSize();
            float[][] out = new float[positions.length][vocab];
            for (int i = 0; i < positions.length; i++) {
                head.logits.copyTo(i * vocab, out[i], 0, vocab);
            }
            return out;
        } finally {
            workspaces.release(act);
        }
    }

    private void validate(EncoderInput in) {
        if (in.seqLen() > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + in.seqLen() + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings() + " of this model: truncate the input explicitly "
                    + "(EncoderInput.truncate, or the tokenizer's truncation)");
        }
        int[] ids = in.inputIds();
        int[] types = in.tokenTypeIds();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + ids[i] + " at sequence " + i / in.seqLen()
                        + ", position " + i % in.seqLen() + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
            if (types[i] < 0 || types[i] >= config.typeVocabSize()) {
                throw new IllegalArgumentException("token type id " + types[i] + " at sequence " + i / in.seqLen()
                        + ", position " + i % in.seqLen() + " is outside [0, " + config.typeVocabSize() + ")");
            }
        }
    }

    /** Releases the pooled workspaces (the parameters are freed by the garbage collector). */
    @Override
    public void close() {
        workspaces.close();
    }
}
