package dev.bertj.heads.mlm;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One candidate for one mask, in Hugging Face's fill-mask pipeline shape. */
public record FillMaskPrediction(double score, int token, @JsonProperty("token_str") String tokenStr, String sequence) {
}
