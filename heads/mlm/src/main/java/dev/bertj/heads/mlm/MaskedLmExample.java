package dev.bertj.heads.mlm;

/** A line of in-domain text for continued masked-LM training; the head masks it (seeded) when batching. */
public record MaskedLmExample(String text) {
}
