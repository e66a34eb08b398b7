package dev.bertj.core.head;

import dev.bertj.core.model.BertModel;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.train.StepResult;

/** One fine-tuning step through the head and the encoder's backward pass. */
final class EncoderBackprop {

    private EncoderBackprop() {
    }

    static <E> StepResult step(BertModel model, TaskHead<?, ?, E> head, HeadBatch<E> batch, float lossScale, Rng dropout) {
        // TODO(lead): wire BertModel's training forward/backward when it lands (issue 4).
        throw new UnsupportedOperationException("fine-tuning the encoder needs its backward pass, which this build "
                + "does not have yet; use --freeze-encoder");
    }
}
