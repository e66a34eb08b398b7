package dev.bertj.core.tokenizer;

/**
 * The tokens of one input text before the template adds special tokens: ids, spans in the text (UTF-16 indices) and
 * word indices.
 */
record TokenSequence(int[] ids, int[] starts, int[] ends, int[] words) {

    int length() {
        return ids.length;
    }
}
