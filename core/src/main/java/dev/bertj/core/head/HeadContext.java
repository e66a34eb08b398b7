package dev.bertj.core.head;

import dev.bertj.core.model.BertConfig;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

import java.nio.file.Path;
import java.util.Optional;

/** What the host gives a head: the encoder it sits on, its tokenizer, and where the model lives. */
public interface HeadContext {

    BertConfig config();

    WordPieceTokenizer tokenizer();

    /** Runs the shared encoder for inference. */
    EncoderRunner encoder();

    /**
     * An encoder parameter by its Hugging Face name (e.g. {@code embeddings.word_embeddings.weight}, which the
     * masked-LM decoder is tied to), or empty.
     */
    Optional<Parameter> encoderParameter(String name);

    /** The model directory (heads live in {@code heads/<id>/} inside it); may be null for an in-memory model. */
    Path modelDir();

    /** A seeded generator for fresh parameters and dropout. */
    Rng rng();
}
