package dev.bertj.core.head;

import java.util.List;

/**
 * Labelled examples turned into encoder inputs plus whatever targets the head needs (its own type).
 *
 * @param <E> the head's example type
 */
public record HeadBatch<E>(EncoderBatch input, List<E> examples, Object targets) {
}
