package dev.bertj.core.io;

import dev.bertj.core.model.BertConfig;

import java.util.List;

/**
 * A model read from a foreign format: its config, its tensors under canonical Hugging Face names (see
 * {@link BertTensorNames}), and the WordPiece vocabulary when the source carries one (null otherwise).
 * Closing it closes the tensors' source.
 */
public record ImportedModel(BertConfig config, TensorStore tensors, List<String> vocab, Boolean doLowerCase)
        implements AutoCloseable {

    public ImportedModel withVocab(List<String> newVocab, Boolean lowerCase) {
        return new ImportedModel(config, tensors, newVocab, lowerCase);
    }

    @Override
    public void close() {
        tensors.close();
    }
}
