package dev.bertj.heads.translation;

/** One aligned sentence pair: the source text and its reference translation. */
public record ParallelExample(String source, String target) {

    public ParallelExample {
        if (source == null || target == null) {
            throw new IllegalArgumentException("a parallel example needs a source and a target");
        }
    }
}
