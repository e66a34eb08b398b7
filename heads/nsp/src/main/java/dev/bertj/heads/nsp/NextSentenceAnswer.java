package dev.bertj.heads.nsp;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Probabilities that B follows A ({@code is_next}) and that it does not ({@code not_next}); they sum to 1. */
public record NextSentenceAnswer(@JsonProperty("is_next") double isNext, @JsonProperty("not_next") double notNext) {
}
