package dev.bertj.core.pretrain;

import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.SafetensorsWriter;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.DType;
import dev.bertj.core.model.BertConfig;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * BERT as it is pre-trained (Hugging Face's {@code BertForPreTraining}): the encoder with its pooler, the
 * masked-LM head tied to the word embeddings, and the next-sentence head. Its parameters carry the names
 * {@code BertForPreTraining} stores ({@code bert.}-prefixed encoder, {@code cls.predictions.*},
 * {@code cls.seq_relationship.*}), so a checkpoint or a saved directory loads in Hugging Face as it is, and in
 * bertj through {@link BertModel#load(Path)}.
 */
public final class PretrainingModel implements AutoCloseable {

    public static final String ENCODER_PREFIX = "bert.";

    private final BertModel encoder;
    private final NextSentenceHead nextSentence;
    private final List<Parameter> parameters;

    private PretrainingModel(BertModel encoder, NextSentenceHead nextSentence) {
        if (!encoder.hasPooler() || !encoder.hasMlmHead()) {
            throw new IllegalArgumentException("pre-training needs the pooler and the masked-LM head");
        }
        this.encoder = encoder;
        this.nextSentence = nextSentence;
        List<Parameter> all = new ArrayList<>();
        for (Parameter p : encoder.parameters()) {
            if (p.name().startsWith("cls.")) {
                all.add(p);
            } else {
                // Same value and gradient memory under the stored name; the optimizer and checkpoints use these.
                Parameter alias = new Parameter(ENCODER_PREFIX + p.name(), p.value(), p::grad, p.weightDecay());
                alias.grad();
                all.add(alias);
            }
        }
        for (Parameter p : nextSentence.parameters()) {
            p.grad();
            all.add(p);
        }
        for (Parameter p : all) {
            p.grad();
        }
        this.parameters = Collections.unmodifiableList(all);
    }

    /** A model initialised for pre-training from scratch (Hugging Face's initialisation, seeded). */
    public static PretrainingModel fromScratch(BertConfig config, long seed) {
        BertModel encoder = BertModel.initialize(config, seed);
        NextSentenceHead nsp = new NextSentenceHead(config.hiddenSize());
        nsp.initialize(Rng.forStream(seed, 1), config.initializerRange());
        return new PretrainingModel(encoder, nsp);
    }

    /**
     * Continues pre-training a saved model: the encoder, pooler and masked-LM head from {@code dir}; the
     * next-sentence head from it too when it has one ({@code cls.seq_relationship.*}), else fresh.
     *
     * @throws CheckpointException if the model lacks a pooler or a masked-LM head
     */
    public static PretrainingModel load(Path dir, long seed) {
        BertModel encoder = BertModel.load(dir);
        if (!encoder.hasPooler() || !encoder.hasMlmHead()) {
            encoder.close();
            throw new CheckpointException(dir + ": pre-training continues from a model with a pooler and a masked-LM "
                    + "head (cls.predictions.*), such as bert-base-uncased; this one has "
                    + (encoder.hasPooler() ? "no masked-LM head" : "no pooler"));
        }
        BertConfig config = encoder.config();
        NextSentenceHead nsp = new NextSentenceHead(config.hiddenSize());
        nsp.initialize(Rng.forStream(seed, 1), config.initializerRange());
        try (SafetensorsFile store = SafetensorsFile.open(dir.resolve(BertModel.WEIGHTS_FILE))) {
            if (store.names().contains(NextSentenceHead.WEIGHT) && store.names().contains(NextSentenceHead.BIAS)) {
                for (Parameter p : nsp.parameters()) {
                    TensorInfo info = store.info(p.name());
                    if (!Arrays.equals(info.shape(), p.value().shape())) {
                        throw new CheckpointException(store.source() + ": tensor " + p.name() + " has shape "
                                + info.shapeString() + ", expected " + Arrays.toString(p.value().shape()));
                    }
                    store.readFloats(p.name(), Floats.of(p.value()).buffer().duplicate());
                }
            }
        }
        return new PretrainingModel(encoder, nsp);
    }

    public BertModel encoder() {
        return encoder;
    }

    public NextSentenceHead nextSentence() {
        return nextSentence;
    }

    public BertConfig config() {
        return encoder.config();
    }

    /** Every parameter under its {@code BertForPreTraining} name; the tied decoder is the word embeddings. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Writes {@code config.json} and {@code model.safetensors} (float32) into {@code dir}. */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter writer = new SafetensorsWriter(DType.F32);
        for (Parameter p : parameters) {
            Floats values = Floats.of(p.value());
            writer.add(p.name(), p.value().shape(), dst -> dst.put(values.buffer().duplicate()));
        }
        writer.write(dir.resolve(BertModel.WEIGHTS_FILE));
        config().write(dir.resolve(BertModel.CONFIG_FILE));
    }

    @Override
    public void close() {
        encoder.close();
    }
}
