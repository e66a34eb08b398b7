package dev.bertj.core.hub;

import dev.bertj.core.io.BertTensorNames;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.ModelFiles;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.TensorInfo;
import dev.bertj.core.io.TensorStore;
import dev.bertj.core.io.Vocabularies;
import dev.bertj.core.model.BertConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A native model directory (Hugging Face's layout), validated: {@code config.json} present and valid, a vocabulary
 * ({@code vocab.txt} or {@code tokenizer.json}) no larger than {@code vocab_size}, {@code model.safetensors} present
 * and well-formed, every encoder tensor the config needs present with its shape, and any pooler or pre-training head
 * complete with the right shapes. Errors name the file and the tensor.
 */
public final class ModelDirectory {

    public static final String CONFIG_FILE = "config.json";
    public static final String VOCAB_FILE = "vocab.txt";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    private final Path dir;
    private final BertConfig config;
    private final List<String> vocab;
    private final boolean pooler;
    private final boolean mlmHead;
    private final boolean nspHead;

    private ModelDirectory(Path dir, BertConfig config, List<String> vocab, boolean pooler, boolean mlmHead,
                           boolean nspHead) {
        this.dir = dir;
        this.config = config;
        this.vocab = vocab;
        this.pooler = pooler;
        this.mlmHead = mlmHead;
        this.nspHead = nspHead;
    }

    /** Validates {@code dir}. */
    public static ModelDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": not a model directory");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(configFile + ": missing");
        }
        BertConfig config;
        try {
            config = BertConfig.read(configFile);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(e.getMessage().startsWith(configFile.toString()) ? e.getMessage()
                    : configFile + ": " + e.getMessage(), e);
        }
        List<String> vocab = readVocab(dir);
        if (vocab.size() > config.vocabSize()) {
            throw new CheckpointException(dir + ": the vocabulary has " + vocab.size() + " tokens but " + CONFIG_FILE
                    + " says vocab_size " + config.vocabSize());
        }
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException(weights + ": missing");
        }
        try (TensorStore store = BertTensorNames.canonicalView(SafetensorsFile.open(weights))) {
            for (TensorInfo t : BertTensorNames.encoder(config)) {
                require(store, t, weights);
            }
            boolean pooler = optionalGroup(store, BertTensorNames.pooler(config), weights);
            boolean mlm = optionalGroup(store, BertTensorNames.mlmHead(config), weights);
            boolean nsp = optionalGroup(store, BertTensorNames.nspHead(config), weights);
            return new ModelDirectory(dir, config, vocab, pooler, mlm, nsp);
        }
    }

    private static List<String> readVocab(Path dir) {
        Path txt = dir.resolve(VOCAB_FILE);
        Path json = dir.resolve(TOKENIZER_FILE);
        try (ModelFiles files = ModelFiles.open(dir)) {
            if (Files.isRegularFile(txt)) {
                List<String> v = Vocabularies.fromVocabTxt(files.read(VOCAB_FILE));
                if (v.isEmpty()) {
                    throw new CheckpointException(txt + ": empty vocabulary");
                }
                return v;
            }
            if (Files.isRegularFile(json)) {
                return Vocabularies.fromTokenizerJson(files.read(TOKENIZER_FILE), json.toString()).tokens();
            }
        }
        throw new CheckpointException(dir + ": no vocabulary (" + VOCAB_FILE + " or " + TOKENIZER_FILE + ")");
    }

    private static void require(TensorStore store, TensorInfo t, Path weights) {
        if (!store.contains(t.name())) {
            throw new CheckpointException(weights + ": missing tensor " + t.name() + " (stored as "
                    + BertTensorNames.stored(t.name()) + " or " + t.name() + ")");
        }
        long[] shape = store.info(t.name()).shape();
        if (!Arrays.equals(shape, t.shape())) {
            throw new CheckpointException(weights + ": tensor " + t.name() + " has shape " + Arrays.toString(shape)
                    + " but config.json needs " + t.shapeString());
        }
    }

    /** A part that may be absent entirely, but if any of its tensors is there, all must be, with their shapes. */
    private static boolean optionalGroup(TensorStore store, List<TensorInfo> group, Path weights) {
        if (group.stream().noneMatch(t -> store.contains(t.name()))) {
            return false;
        }
        group.forEach(t -> require(store, t, weights));
        return true;
    }

    public Path dir() {
        return dir;
    }

    public BertConfig config() {
        return config;
    }

    public List<String> vocab() {
        return vocab;
    }

    public Path weightsFile() {
        return dir.resolve(WEIGHTS_FILE);
    }

    public Path vocabFile() {
        Path txt = dir.resolve(VOCAB_FILE);
        return Files.isRegularFile(txt) ? txt : dir.resolve(TOKENIZER_FILE);
    }

    public boolean hasPooler() {
        return pooler;
    }

    public boolean hasMlmHead() {
        return mlmHead;
    }

    public boolean hasNspHead() {
        return nspHead;
    }

    /** The weights under canonical names (no {@code bert.} prefix); the caller closes it. */
    public TensorStore openTensors() {
        return BertTensorNames.canonicalView(SafetensorsFile.open(weightsFile()));
    }

    /** Shapes every tensor in the directory should have, for tools that list a model. */
    public Map<String, TensorInfo> expectedTensors() {
        return BertTensorNames.all(config);
    }
}
