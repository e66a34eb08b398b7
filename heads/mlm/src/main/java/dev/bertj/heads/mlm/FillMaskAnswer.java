package dev.bertj.heads.mlm;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/**
 * The candidates for every mask of one text, in text order. Serialised as Hugging Face does: a flat list for a
 * text with one mask, a list of lists for several.
 */
public record FillMaskAnswer(List<List<FillMaskPrediction>> masks) {

    @JsonValue
    public Object hfShape() {
        return masks.size() == 1 ? masks.get(0) : masks;
    }
}
