package dev.bertj.core.service;

import java.util.Locale;

/** How a sentence vector is made from the encoder's outputs. */
public enum Pooling {
    /** The last hidden state of the [CLS] token (not the pooler). */
    CLS,
    /** The mean of the token vectors over the real tokens (attention mask 1), special tokens included. */
    MEAN,
    /** The pooler output, {@code tanh(dense(h_[CLS]))}, as BERT's next-sentence head reads it. */
    POOLER;

    public static Pooling parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown pooling '" + s + "': use cls, mean or pooler");
        }
    }
}
