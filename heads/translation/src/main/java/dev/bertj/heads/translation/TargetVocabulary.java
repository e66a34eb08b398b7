package dev.bertj.heads.translation;

import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.TokenizerOptions;
import dev.bertj.core.tokenizer.Truncation;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;
import dev.bertj.core.tokenizer.WordPieceTrainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The target language's WordPiece vocabulary, learned with the project's {@link WordPieceTrainer} from the
 * target side of the training data and stored beside the head as {@code target-vocab.txt}. Cased with accents
 * kept (German needs both: "Mädchen", "Straße"), whatever the encoder's vocabulary does. {@code [CLS]} starts a
 * decoder sequence and {@code [SEP]} ends it.
 */
final class TargetVocabulary {

    static final String FILE = "target-vocab.txt";
    private static final EncodeOptions NO_SPECIAL_TOKENS = new EncodeOptions(0, Truncation.NONE, 0, false, false);

    private final Vocabulary vocabulary;
    private final WordPieceTokenizer tokenizer;

    private TargetVocabulary(Vocabulary vocabulary) {
        for (String s : List.of(Vocabulary.CLS, Vocabulary.SEP, Vocabulary.PAD, Vocabulary.UNK)) {
            if (!vocabulary.contains(s)) {
                throw new IllegalArgumentException("the target vocabulary lacks " + s);
            }
        }
        this.vocabulary = vocabulary;
        this.tokenizer = WordPieceTokenizer.of(vocabulary, normalization());
    }

    /** No lowercasing, no accent stripping. */
    static TokenizerOptions normalization() {
        return TokenizerOptions.cased().withLowercase(false).withStripAccents(false);
    }

    static TargetVocabulary train(List<String> targetTexts, int size) {
        if (targetTexts.isEmpty()) {
            throw new IllegalArgumentException("cannot learn a target vocabulary from no text");
        }
        return new TargetVocabulary(new WordPieceTrainer(size, normalization()).train(targetTexts));
    }

    static TargetVocabulary read(Path file) throws IOException {
        return new TargetVocabulary(Vocabulary.read(file));
    }

    void write(Path file) throws IOException {
        vocabulary.write(file);
    }

    Vocabulary vocabulary() {
        return vocabulary;
    }

    int size() {
        return vocabulary.size();
    }

    int startId() {
        return vocabulary.clsId();
    }

    int endId() {
        return vocabulary.sepId();
    }

    int padId() {
        return vocabulary.padId();
    }

    /** The WordPiece ids of a target text, without special tokens. */
    int[] encode(String text) {
        return tokenizer.encode(text, null, NO_SPECIAL_TOKENS).ids();
    }

    /** Text of generated ids; special tokens (including [UNK]) are dropped, as HF's skip_special_tokens. */
    String decode(int[] ids) {
        List<String> pieces = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (!vocabulary.contains(id)) {
                continue;
            }
            String t = vocabulary.token(id);
            if (isSpecial(t)) {
                continue;
            }
            pieces.add(t);
        }
        return Detokenizer.detokenize(pieces);
    }

    private static boolean isSpecial(String token) {
        return token.equals(Vocabulary.CLS) || token.equals(Vocabulary.SEP) || token.equals(Vocabulary.PAD)
                || token.equals(Vocabulary.UNK) || token.equals(Vocabulary.MASK);
    }
}
