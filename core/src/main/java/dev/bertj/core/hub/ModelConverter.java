package dev.bertj.core.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bertj.core.io.BertTensorNames;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.DType;
import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.SafetensorsWriter;
import dev.bertj.core.io.TensorStore;
import dev.bertj.core.io.Vocabularies;
import dev.bertj.core.model.BertConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Converts an imported checkpoint into bertj's native model directory, Hugging Face's layout:
 * {@code config.json}, {@code vocab.txt}, {@code tokenizer_config.json} (when the source says whether to lower-case)
 * and {@code model.safetensors} with {@code BertForPreTraining} names ({@code bert.} before the encoder's tensors,
 * {@code cls.*} for the pre-training heads), which HF's {@code from_pretrained} loads as it is.
 *
 * <p>The directory appears atomically: it is written into a temporary sibling and renamed into place.
 */
public final class ModelConverter {

    private ModelConverter() {
    }

    /**
     * Reads {@code source} in {@code format} and writes the native directory {@code out}, which must not exist
     * (or be empty).
     *
     * @param vocabOverride a vocab.txt to use instead of the one found with the source (may be null)
     */
    public static Path convert(SourceFormat format, Path source, Path out, DType dtype, Path vocabOverride) {
        try (ImportedModel model = format.open(source)) {
            ImportedModel m = model;
            if (vocabOverride != null) {
                try {
                    m = m.withVocab(Vocabularies.fromVocabTxt(Files.readAllBytes(vocabOverride)), m.doLowerCase());
                } catch (IOException e) {
                    throw new CheckpointException(vocabOverride + ": cannot read: " + e.getMessage(), e);
                }
            }
            return writeAtomically(m, out, dtype);
        }
    }

    /** Writes {@code model} into a temporary sibling of {@code out}, then renames it to {@code out}. */
    public static Path writeAtomically(ImportedModel model, Path out, DType dtype) {
        Path target = out.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(target)) {
                try (Stream<Path> s = Files.list(target)) {
                    if (s.findAny().isPresent()) {
                        throw new CheckpointException(target + ": already exists and is not empty; choose another --out");
                    }
                }
                Files.delete(target);
            } else if (Files.exists(target)) {
                throw new CheckpointException(target + ": already exists and is not a directory");
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
            try {
                writeNative(model, tmp, dtype);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            } finally {
                if (tmp != null) {
                    deleteRecursively(tmp);
                }
            }
            return target;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            throw new CheckpointException(target + ": created by someone else meanwhile", e);
        } catch (IOException e) {
            throw new CheckpointException(target + ": cannot write the model: " + e, e);
        }
    }

    /** Writes the native files of {@code model} into the existing directory {@code dir}. */
    public static void writeNative(ImportedModel model, Path dir, DType dtype) throws IOException {
        if (model.vocab() == null || model.vocab().isEmpty()) {
            throw new CheckpointException(model.tensors().source() + ": no vocabulary found with the model (vocab.txt or"
                    + " tokenizer.json); pass one");
        }
        BertConfig config = model.config();
        if (model.vocab().size() > config.vocabSize()) {
            throw new CheckpointException(model.tensors().source() + ": the vocabulary has " + model.vocab().size()
                    + " tokens but the model's vocab_size is " + config.vocabSize());
        }
        TensorStore tensors = model.tensors();
        boolean pretraining = tensors.contains("cls.predictions.bias");
        Map<String, Object> extra = new LinkedHashMap<>(config.extra());
        extra.put("architectures", List.of(pretraining ? "BertForPreTraining" : "BertModel"));
        extra.putIfAbsent("torch_dtype", switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        BertConfig out = new BertConfig(config.vocabSize(), config.hiddenSize(), config.numHiddenLayers(),
                config.numAttentionHeads(), config.intermediateSize(), config.hiddenAct(), config.hiddenDropoutProb(),
                config.attentionProbsDropoutProb(), config.maxPositionEmbeddings(), config.typeVocabSize(),
                config.layerNormEps(), config.initializerRange(), config.padTokenId(), extra);

        SafetensorsWriter writer = new SafetensorsWriter(dtype);
        // In the source's order, so that a streamed source (a TF checkpoint in a jar) is read front to back once.
        for (String name : tensors.names()) {
            writer.add(BertTensorNames.stored(name), tensors, name);
        }
        writer.write(dir.resolve(ModelDirectory.WEIGHTS_FILE));
        Vocabularies.writeVocabTxt(model.vocab(), dir.resolve(ModelDirectory.VOCAB_FILE));
        if (model.doLowerCase() != null) {
            Map<String, Object> tc = new LinkedHashMap<>();
            tc.put("do_lower_case", model.doLowerCase());
            tc.put("model_max_length", config.maxPositionEmbeddings());
            tc.put("tokenizer_class", "BertTokenizer");
            Files.writeString(dir.resolve("tokenizer_config.json"),
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(tc));
        }
        out.write(dir.resolve(ModelDirectory.CONFIG_FILE));
    }

    static void deleteRecursively(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
