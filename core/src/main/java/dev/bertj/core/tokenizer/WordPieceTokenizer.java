package dev.bertj.core.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * BERT's WordPiece tokenizer, producing exactly what Hugging Face's {@code BertTokenizerFast} produces: the same ids,
 * type ids, tokens, word ids and offsets (as Java {@code String} indices), for single texts and pairs, with
 * truncation, overflow windows and padding.
 *
 * <p>The pipeline is HF's: special tokens written in the text ({@code [MASK]}, {@code [SEP]}, ...) are taken whole;
 * the rest is normalized (clean-up, CJK spacing, accent stripping, lowercasing), split on whitespace and punctuation,
 * and each word is segmented greedily into the longest vocabulary pieces; then the template adds {@code [CLS]} and
 * {@code [SEP]}.
 *
 * <p>Immutable and thread-safe. Encoding does no work proportional to the vocabulary size.
 */
public final class WordPieceTokenizer {

    /** Batches at least this large are encoded in parallel. */
    private static final int PARALLEL_BATCH = 64;

    private final Vocabulary vocabulary;
    private final TokenizerOptions options;
    private final AddedTokens addedTokens;
    private final SequenceEncoder encoder;
    private final PostProcessor postProcessor;
    private final String continuationPrefix;
    private final boolean cleanupDecoded;

    WordPieceTokenizer(Vocabulary vocabulary, TokenizerOptions options, List<AddedTokens.Token> addedTokens,
                       String unkToken, String continuationPrefix, String clsToken, String sepToken,
                       boolean cleanupDecoded) {
        this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
        this.options = Objects.requireNonNull(options, "options");
        this.addedTokens = new AddedTokens(addedTokens);
        this.continuationPrefix = continuationPrefix;
        this.cleanupDecoded = cleanupDecoded;
        int unkId = vocabulary.id(unkToken);
        if (unkId < 0) {
            throw new IllegalArgumentException("the vocabulary has no unknown token '" + unkToken + "'");
        }
        WordPieceModel model = new WordPieceModel(vocabulary.asMap(), continuationPrefix, unkId,
                options.maxInputCharsPerWord());
        this.encoder = new SequenceEncoder(CharNormalizer.of(options), model, this.addedTokens);
        this.postProcessor = new PostProcessor(vocabulary, vocabulary.id(clsToken), vocabulary.id(sepToken));
    }

    /**
     * A tokenizer over a vocabulary with BERT's standard tokens: {@code [CLS]}, {@code [SEP]}, {@code [UNK]} and,
     * matched whole in text like every special token present, {@code [PAD]} and {@code [MASK]}.
     */
    public static WordPieceTokenizer of(Vocabulary vocabulary, TokenizerOptions options) {
        List<AddedTokens.Token> specials = new ArrayList<>();
        // The order of BertTokenizerFast's special tokens; it does not affect matching (none is a prefix of another).
        for (String s : List.of(Vocabulary.PAD, Vocabulary.UNK, Vocabulary.CLS, Vocabulary.SEP, Vocabulary.MASK)) {
            if (vocabulary.contains(s)) {
                specials.add(new AddedTokens.Token(s, vocabulary.id(s), true));
            }
        }
        return new WordPieceTokenizer(vocabulary, options, specials, Vocabulary.UNK, "##", Vocabulary.CLS,
                Vocabulary.SEP, true);
    }

    /** Reads {@code vocab.txt} (one token per line, id = line number). */
    public static WordPieceTokenizer fromVocab(Path vocabTxt, TokenizerOptions options) throws IOException {
        return of(Vocabulary.read(vocabTxt), options);
    }

    /** Reads a Hugging Face {@code tokenizer.json} with a WordPiece model (BERT's normalizer and template). */
    public static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        return TokenizerJson.read(tokenizerJson, null);
    }

    /**
     * Loads the tokenizer of a Hugging Face model directory: {@code tokenizer.json} if present, else
     * {@code vocab.txt}. Uncased unless {@code tokenizer_config.json} sets {@code do_lower_case: false}; its
     * {@code do_lower_case}, {@code strip_accents} and {@code tokenize_chinese_chars}, when present, override
     * {@code tokenizer.json}'s normalizer, as {@code BertTokenizerFast} does.
     */
    public static WordPieceTokenizer load(Path modelDir) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            throw new IOException(modelDir + " is not a directory");
        }
        TokenizerJson.ConfigOverrides overrides = TokenizerJson.readConfig(modelDir.resolve("tokenizer_config.json"));
        Path json = modelDir.resolve("tokenizer.json");
        if (Files.isRegularFile(json)) {
            return TokenizerJson.read(json, overrides);
        }
        Path vocab = modelDir.resolve("vocab.txt");
        if (!Files.isRegularFile(vocab)) {
            throw new IOException(modelDir + " has neither tokenizer.json nor vocab.txt");
        }
        return fromVocab(vocab, overrides.applyTo(TokenizerOptions.uncased()));
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    public TokenizerOptions options() {
        return options;
    }

    /** {@code [CLS] text [SEP]}, no truncation. */
    public Encoding encode(String text) {
        return encode(text, null, EncodeOptions.DEFAULT);
    }

    /** {@code [CLS] a [SEP] b [SEP]}, no truncation. */
    public Encoding encode(String a, String b) {
        return encode(a, Objects.requireNonNull(b, "b"), EncodeOptions.DEFAULT);
    }

    /** Encodes a text, or a pair when {@code bOrNull} is not null. */
    public Encoding encode(String a, String bOrNull, EncodeOptions opts) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(opts, "opts");
        TokenSequence first = encoder.encode(a);
        TokenSequence second = bOrNull == null ? null : encoder.encode(bOrNull);
        return postProcessor.process(first, second, opts);
    }

    /** Encodes single texts; large batches run in parallel on the caller's fork-join pool (the common pool). */
    public List<Encoding> encodeBatch(List<String> texts, EncodeOptions opts) {
        Objects.requireNonNull(opts, "opts");
        Encoding[] out = new Encoding[texts.size()];
        IntStream range = IntStream.range(0, out.length);
        if (out.length >= PARALLEL_BATCH) {
            range = range.parallel();
        }
        range.forEach(i -> out[i] = encode(texts.get(i), null, opts));
        return Arrays.asList(out);
    }

    /** The WordPiece tokens of a text, without template tokens (HF's {@code tokenize}). */
    public List<String> tokenize(String text) {
        TokenSequence s = encoder.encode(Objects.requireNonNull(text, "text"));
        String[] strings = vocabulary.tokensById();
        List<String> out = new ArrayList<>(s.length());
        for (int id : s.ids()) {
            out.add(strings[id]);
        }
        return out;
    }

    /** Decodes ids to text, keeping special tokens (HF's default). */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * Decodes ids to text as transformers' {@code tokenizer.decode} does for BERT: HF's WordPiece decoder (pieces with
     * {@code ##} join the previous token, other tokens are separated by a space, each piece cleaned up), then
     * transformers' {@code clean_up_tokenization} over the whole string (spaces before punctuation and English
     * contractions removed). Unknown ids are skipped.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder sb = new StringBuilder();
        int emitted = 0;
        for (int id : ids) {
            if (!vocabulary.contains(id) || (skipSpecialTokens && addedTokens.isSpecial(id))) {
                continue;
            }
            String token = vocabulary.token(id);
            String piece;
            if (emitted == 0) {
                piece = token;
            } else if (token.startsWith(continuationPrefix)) {
                piece = token.substring(continuationPrefix.length());
            } else {
                piece = " " + token;
            }
            sb.append(cleanupDecoded ? cleanup(piece) : piece);
            emitted++;
        }
        return cleanupDecoded ? cleanUpTokenizationSpaces(sb.toString()) : sb.toString();
    }

    /**
     * Transformers' {@code clean_up_tokenization} over the whole decoded string, which its {@code decode} applies
     * after the Rust decoder (BERT's tokenizer_config sets clean_up_tokenization_spaces): it also joins what the
     * piece-by-piece pass cannot see, e.g. {@code "i ' m"} to {@code "i'm"}, as the fill-mask pipeline shows.
     */
    static String cleanUpTokenizationSpaces(String s) {
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }

    /** HF's {@code cleanup} of decoded pieces (applied piece by piece, as HF does). */
    private static String cleanup(String s) {
        if (s.indexOf(' ') < 0) {
            return s;
        }
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }
}
