package dev.bertj.heads.mlm;

import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.HeadFiles;
import dev.bertj.core.head.TaskHead;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.modules.LayerNorm;
import dev.bertj.core.nn.modules.Linear;

import java.io.IOException;
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

    /**
     * The pre-training checkpoint's own head ({@code cls.predictions.*}), sharing the encoder's parameter objects:
     * one copy in memory, and fine-tuning the head updates what the model directory saves.
     */
    @Override
    public Optional<TaskHead<?, ?, ?>> fromModel(HeadContext context) {
        String p = MaskedLmHead.PREFIX;
        Optional<Parameter> bias = context.encoderParameter(p + "bias");
        if (bias.isEmpty()) {
            return Optional.empty();
        }
        Parameter w = require(context, p + "transform.dense.weight");
        Parameter b = require(context, p + "transform.dense.bias");
        Parameter g = require(context, p + "transform.LayerNorm.weight");
        Parameter beta = require(context, p + "transform.LayerNorm.bias");
        return Optional.of(new MaskedLmHead(context, new Linear(w, b),
                new LayerNorm(g, beta, context.config().layerNormEps()), bias.get()));
    }

    private static Parameter require(HeadContext context, String name) {
        return context.encoderParameter(name).orElseThrow(() -> new dev.bertj.core.io.CheckpointException(
                "the model has cls.predictions.bias but not " + name));
    }
}
