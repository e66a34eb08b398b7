package dev.bertj.core.tokenizer;

/** How an encoding longer than the maximum length is cut (HF's truncation strategies). */
public enum Truncation {
    /** Never truncate. */
    NONE,
    /** Take tokens from the longer sequence of a pair until both fit (the only strategy for single texts). */
    LONGEST_FIRST,
    /** Truncate only the first sequence. */
    ONLY_FIRST,
    /** Truncate only the second sequence of a pair. */
    ONLY_SECOND
}
