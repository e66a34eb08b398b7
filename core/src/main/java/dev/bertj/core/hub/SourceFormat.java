package dev.bertj.core.hub;

import dev.bertj.core.io.ImportedModel;
import dev.bertj.core.io.SafetensorsImporter;
import dev.bertj.core.io.onnx.OnnxBertImporter;
import dev.bertj.core.io.tf.TfBertImporter;

import java.nio.file.Path;
import java.util.Locale;

/** The checkpoint formats bertj imports. */
public enum SourceFormat {
    /** Google's TF checkpoint (tensor bundle), as a directory, a prefix, or inside a jar. */
    TF,
    /** An ONNX file exported from PyTorch, fp32 or dynamically quantized. */
    ONNX,
    /** A Hugging Face safetensors checkpoint with its config.json. */
    SAFETENSORS;

    public static SourceFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + s + "': use tf, onnx or safetensors");
        }
    }

    /** Reads {@code source} in this format. */
    public ImportedModel open(Path source) {
        return switch (this) {
            case TF -> TfBertImporter.open(source);
            case ONNX -> OnnxBertImporter.open(source);
            case SAFETENSORS -> SafetensorsImporter.open(source);
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
