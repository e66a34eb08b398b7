package dev.bertj.heads.qa;

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
 * Registers the span question-answering head. Options of {@link #create}: {@code max_seq_len} (384),
 * {@code doc_stride} (128), {@code max_query_len} (64), {@code max_windows} (64), {@code max_answer_len} (30),
 * {@code handle_impossible_answer} (false), {@code null_threshold} (0.0), {@code predict_batch_size} (16).
 */
public final class QuestionAnsweringHeadFactory implements HeadFactory {

    static final HeadDescriptor DESCRIPTOR = new HeadDescriptor("qa", "1.0.0",
            "Span question answering (SQuAD): start/end logits over the context, long contexts in windows",
            QaRequest.class, QaResult.class);

    @Override
    public HeadDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public TaskHead<?, ?, ?> create(HeadContext context, Map<String, String> options) {
        return QuestionAnsweringHead.fresh(context, QaSettings.fromOptions(options));
    }

    @Override
    public TaskHead<?, ?, ?> load(HeadContext context, Path headDir) throws IOException {
        QaSettings settings = QaSettings.fromJson(HeadFiles.readConfig(headDir, DESCRIPTOR.id()));
        QuestionAnsweringHead head = QuestionAnsweringHead.fresh(context, settings);
        HeadFiles.loadParameters(headDir, head.parameters());
        return head;
    }

    /**
     * A Hugging Face {@code BertForQuestionAnswering} checkpoint (e.g. a SQuAD fine-tuned model) carries its head as
     * {@code qa_outputs.weight} and {@code qa_outputs.bias} in {@code model.safetensors}; it is used with the default
     * settings.
     */
    @Override
    public Optional<TaskHead<?, ?, ?>> fromModel(HeadContext context) {
        if (context.modelDir() == null) {
            return Optional.empty();
        }
        Path weights = context.modelDir().resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            return Optional.empty();
        }
        try (SafetensorsFile st = SafetensorsFile.open(weights)) {
            if (!st.contains(QuestionAnsweringHead.PREFIX + ".weight")) {
                return Optional.empty();
            }
            QuestionAnsweringHead head = QuestionAnsweringHead.fresh(context, QaSettings.DEFAULT);
            for (Parameter p : head.parameters()) {
                float[] values = st.readFloats(p.name());
                if (values.length != p.value().length()) {
                    throw new CheckpointException(weights + ": tensor " + p.name() + " has " + values.length
                            + " values, the qa head expects " + p.value().length());
                }
                p.value().assign(org.nd4j.linalg.factory.Nd4j.create(values, p.value().shape(), 'c'));
            }
            return Optional.of(head);
        }
    }
}
