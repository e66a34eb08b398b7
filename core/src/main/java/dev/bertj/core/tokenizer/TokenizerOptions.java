package dev.bertj.core.tokenizer;

/**
 * How text is normalized before WordPiece, as HF's {@code BertNormalizer} and {@code WordPiece} model configure it.
 *
 * @param lowercase            lowercase every character ({@code do_lower_case}); true for uncased vocabularies
 * @param stripAccents         NFD and drop nonspacing marks; {@code null} follows {@code lowercase} (HF's rule when
 *                             {@code strip_accents} is unset)
 * @param tokenizeChineseChars make every CJK ideograph a word of its own ({@code tokenize_chinese_chars})
 * @param cleanText            drop NUL, U+FFFD and control/format/private-use characters; turn whitespace into spaces
 * @param maxInputCharsPerWord words longer than this many characters (code points, after normalization) become
 *                             {@code [UNK]}
 */
public record TokenizerOptions(boolean lowercase, Boolean stripAccents, boolean tokenizeChineseChars,
                               boolean cleanText, int maxInputCharsPerWord) {

    /** BERT's default for {@code max_input_chars_per_word}. */
    public static final int DEFAULT_MAX_INPUT_CHARS_PER_WORD = 100;

    public TokenizerOptions {
        if (maxInputCharsPerWord < 1) {
            throw new IllegalArgumentException("maxInputCharsPerWord must be at least 1, got " + maxInputCharsPerWord);
        }
    }

    /** The options of an uncased BERT vocabulary (bert-base-uncased): lowercase and strip accents. */
    public static TokenizerOptions uncased() {
        return new TokenizerOptions(true, null, true, true, DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    }

    /** The options of a cased BERT vocabulary (bert-base-cased): keep case and accents. */
    public static TokenizerOptions cased() {
        return new TokenizerOptions(false, null, true, true, DEFAULT_MAX_INPUT_CHARS_PER_WORD);
    }

    /** Whether accents are stripped: {@link #stripAccents} if set, else {@link #lowercase}. */
    public boolean effectiveStripAccents() {
        return stripAccents != null ? stripAccents : lowercase;
    }

    public TokenizerOptions withLowercase(boolean value) {
        return new TokenizerOptions(value, stripAccents, tokenizeChineseChars, cleanText, maxInputCharsPerWord);
    }

    public TokenizerOptions withStripAccents(Boolean value) {
        return new TokenizerOptions(lowercase, value, tokenizeChineseChars, cleanText, maxInputCharsPerWord);
    }

    public TokenizerOptions withTokenizeChineseChars(boolean value) {
        return new TokenizerOptions(lowercase, stripAccents, value, cleanText, maxInputCharsPerWord);
    }
}
