package dev.bertj.heads.translation;

import dev.bertj.core.head.HeadContext;
import dev.bertj.core.head.HeadDescriptor;
import dev.bertj.core.head.HeadFactory;
import dev.bertj.core.head.TaskHead;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Registers the translation head. Creation options: decoder sizes {@code layers} (3), {@code hidden} (512),
 * {@code heads} (8), {@code ffn} (2048), {@code dropout} (0.1), {@code attention_dropout}, {@code activation}
 * (gelu|relu), {@code max_target_positions} (128), {@code label_smoothing} (0.1), {@code initializer_range} (0.02); the target vocabulary
 * {@code vocab_size} (8000) and where its text comes from ({@code target_vocab}, {@code train}, or
 * {@code source}+{@code target}); languages {@code source_lang} (en) and {@code target_lang} (de); default search
 * {@code num_beams} (4), {@code max_length}, {@code length_penalty} (1.0), {@code early_stopping} (false).
 */
public final class TranslationHeadFactory implements HeadFactory {

    static final HeadDescriptor DESCRIPTOR = new HeadDescriptor("translation", "1.0.0",
            "Translation: a Transformer decoder with cross-attention on the BERT encoder, beam search, BLEU/chrF",
            TranslationRequest.class, TranslationAnswer.class);

    @Override
    public HeadDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public TaskHead<?, ?, ?> create(HeadContext context, Map<String, String> options) {
        return TranslationHead.fresh(context, options);
    }

    @Override
    public TaskHead<?, ?, ?> load(HeadContext context, Path headDir) throws IOException {
        return TranslationHead.load(context, headDir);
    }
}
