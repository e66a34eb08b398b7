package dev.bertj.core.head;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The head SPI: a plugin registers an implementation in
 * {@code META-INF/services/dev.bertj.core.head.HeadFactory}; the plugin runtime finds it with
 * {@link java.util.ServiceLoader}. Fine-tuning is "replace the output layers with a fresh set and train":
 * {@link #create} makes the fresh head, {@link #load} the trained one.
 */
public interface HeadFactory {

    HeadDescriptor descriptor();

    /** A head with fresh parameters, configured by head-specific options (labels, layers, ...). */
    TaskHead<?, ?, ?> create(HeadContext context, Map<String, String> options);

    /** The head saved in {@code headDir} ({@code head.json} + {@code head.safetensors}). */
    TaskHead<?, ?, ?> load(HeadContext context, Path headDir) throws IOException;

    /**
     * A head that the model itself carries without a {@code heads/<id>} directory, such as BERT's masked-LM
     * head inside a pre-training checkpoint ({@code cls.predictions.*}). Empty by default.
     */
    default Optional<TaskHead<?, ?, ?>> fromModel(HeadContext context) {
        return Optional.empty();
    }
}
