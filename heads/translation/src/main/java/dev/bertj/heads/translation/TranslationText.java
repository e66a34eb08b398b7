package dev.bertj.heads.translation;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One translation, in Hugging Face's pipeline shape {@code {"translation_text": ...}}. */
public record TranslationText(@JsonProperty("translation_text") String translationText) {
}
