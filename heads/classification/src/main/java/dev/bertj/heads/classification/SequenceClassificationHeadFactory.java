package dev.bertj.heads.classification;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.io.CheckpointException;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.nn.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Registers the sequence classification head. Options of {@link #create}:
 * <ul>
 * <li>{@code labels}: the label names in id order ({@code neg,pos} or a JSON array); by default discovered from
 *     the training file (the first file read), sorted numerically when all are integers, else as strings;</li>
 * <li>{@code problem_type}: {@code single_label_classification} (default) or {@code multi_label_classification};</li>
 * <li>{@code class_weights}: {@code balanced} (scikit-learn's, from the training file) or explicit weights,
 *     {@code 1,3} in label order or {@code neg:1,pos:3} (single-label only);</li>
 * <li>{@code thresholds}: multi-label decision thresholds, one value for all or {@code label:x,...} (0.5);</li>
 * <li>{@code classifier_dropout} (the encoder's hidden_dropout_prob), {@code max_seq_len} (512),
 *     {@code predict_batch_size} (32);</li>
 * <li>and the reading options of {@link ClassificationData} ({@code text_column}, {@code text_pair_column},
 *     {@code label_column}, {@code header}, {@code format}, {@code label_separator}).</li>
 * </ul>
 */
public final class SequenceClassificationHeadFactory implements HeadFactory {

    static final HeadDescriptor DESCRIPTOR = new HeadDescriptor("classification", "1.0.0",
            "Sequence classification: pooled [CLS] -> labels (single- or multi-label), texts and pairs",
            ClassificationRequest.class, ClassificationAnswer.class);

    @Override
    public HeadDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public TaskHead<?, ?, ?> create(HeadContext context, Map<String, String> options) {
        return SequenceClassificationHead.fresh(context, options);
    }

    @Override
    public TaskHead<?, ?, ?> load(HeadContext context, Path headDir) throws IOException {
        JsonNode config = HeadFiles.readConfig(headDir, DESCRIPTOR.id());
        SequenceClassificationHead head = SequenceClassificationHead.of(context, ClassificationSettings.fromJson(config,
                context.config().hiddenDropoutProb(), SequenceClassificationHead.defaultMaxSeqLen(context)));
        HeadFiles.loadParameters(headDir, head.parameters());
        return head;
    }

    /**
     * A Hugging Face {@code BertForSequenceClassification} checkpoint carries its head as {@code classifier.weight}
     * and {@code classifier.bias} in {@code model.safetensors}, and its labels as {@code id2label} (and
     * {@code problem_type}) in {@code config.json}.
     */
    @Override
    public Optional<TaskHead<?, ?, ?>> fromModel(HeadContext context) {
        if (context.modelDir() == null) {
            return Optional.empty();
        }
        Path weights = context.modelDir().resolve("model.safetensors");
        Path configJson = context.modelDir().resolve("config.json");
        if (!Files.isRegularFile(weights) || !Files.isRegularFile(configJson)) {
            return Optional.empty();
        }
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            if (!st.contains(SequenceClassificationHead.PREFIX + ".weight")) {
                return Optional.empty();
            }
            JsonNode config = HeadFiles.json().readTree(configJson.toFile());
            SequenceClassificationHead head = SequenceClassificationHead.of(context, ClassificationSettings.fromJson(
                    config, context.config().hiddenDropoutProb(), SequenceClassificationHead.defaultMaxSeqLen(context)));
            for (Parameter p : head.parameters()) {
                float[] values = st.readFloats(p.name());
                if (values.length != p.value().length()) {
                    throw new CheckpointException(weights + ": tensor " + p.name() + " has " + values.length
                            + " values; id2label in config.json gives " + head.settings().numLabels() + " labels");
                }
                p.value().assign(org.nd4j.linalg.factory.Nd4j.create(values, p.value().shape(), 'c'));
            }
            return Optional.of(head);
        } catch (IOException e) {
            throw new CheckpointException(configJson + ": " + e.getMessage());
        }
    }
}
