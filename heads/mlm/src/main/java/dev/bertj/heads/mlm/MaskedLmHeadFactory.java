package dev.bertj.heads.mlm;

import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.io.SafetensorsFile;
import dev.bertj.core.io.TensorStore;
import dev.bertj.core.nn.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers the masked-LM (fill-mask) head. */
public final class MaskedLmHeadFactory implements HeadFactory {

    static final HeadDescriptor DESCRIPTOR = new HeadDescriptor("mlm", "1.0.0",
            "Masked-LM (fill-mask): BERT's prediction head, decoder tied to the word embeddings",
            FillMaskRequest.class, FillMaskAnswer.class);

    @Override
    public HeadDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public TaskHead<?, ?, ?> create(HeadContext context, Map<String, String> options) {
        return MaskedLmHead.fresh(context);
    }

    @Override
    public TaskHead<?, ?, ?> load(HeadContext context, Path headDir) throws IOException {
        HeadFiles.readConfig(headDir, DESCRIPTOR.id());
        MaskedLmHead head = MaskedLmHead.fresh(context);
        HeadFiles.loadParameters(headDir, head.parameters());
        return head;
    }

    /** The pre-training checkpoint's own head ({@code cls.predictions.*} in model.safetensors), when it has one. */
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
            if (!st.contains(MaskedLmHead.PREFIX + "bias")) {
                return Optional.empty();
            }
            MaskedLmHead head = MaskedLmHead.fresh(context);
            for (Parameter p : head.parameters()) {
                load(st, p);
            }
            return Optional.of(head);
        }
    }

    private static void load(TensorStore st, Parameter p) {
        float[] values = st.readFloats(p.name());
        if (values.length != p.value().length()) {
            throw new dev.bertj.core.io.CheckpointException(st.source() + ": tensor " + p.name() + " has "
                    + values.length + " values, the head expects " + p.value().length());
        }
        p.value().assign(org.nd4j.linalg.factory.Nd4j.create(values, p.value().shape(), 'c'));
    }
}
