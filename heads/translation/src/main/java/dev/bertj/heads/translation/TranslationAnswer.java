package dev.bertj.heads.translation;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/** The answer to one request, serialised as Hugging Face does: {@code [{"translation_text": "..."}]}. */
public record TranslationAnswer(List<TranslationText> translations) {

    public TranslationAnswer {
        translations = List.copyOf(translations);
    }

    public static TranslationAnswer of(String text) {
        return new TranslationAnswer(List.of(new TranslationText(text)));
    }

    /** The (first) translation's text. */
    public String text() {
        return translations.get(0).translationText();
    }

    @JsonValue
    public List<TranslationText> hfShape() {
        return translations;
    }
}
