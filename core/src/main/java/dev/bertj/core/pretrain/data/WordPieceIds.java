package dev.bertj.core.pretrain.data;

import dev.bertj.core.tokenizer.EncodeOptions;
import dev.bertj.core.tokenizer.Vocabulary;
import dev.bertj.core.tokenizer.WordPieceTokenizer;

/**
 * What pre-training data generation needs from a WordPiece tokenizer: the ids of a line of text, and the few
 * facts about the vocabulary that instance building and masking use. Working on ids rather than token strings
 * keeps a shard compact in memory.
 */
public interface WordPieceIds {

    /** The WordPiece ids of one line of text, without special tokens; empty when the line has no tokens. */
    int[] encode(String line);

    /** Number of entries in the vocabulary; random replacement tokens are drawn uniformly from all of them. */
    int vocabSize();

    int clsId();

    int sepId();

    int maskId();

    int padId();

    /** Whether the piece continues a word ({@code ##ing}); whole-word masking groups it with the piece before. */
    boolean isContinuation(int id);

    /** The project's WordPiece tokenizer as the generator sees it. */
    static WordPieceIds of(WordPieceTokenizer tokenizer) {
        Vocabulary vocabulary = tokenizer.vocabulary();
        for (String special : new String[] {Vocabulary.CLS, Vocabulary.SEP, Vocabulary.MASK, Vocabulary.PAD}) {
            if (vocabulary.id(special) < 0) {
                throw new IllegalArgumentException("pre-training needs " + special + " in the vocabulary");
            }
        }
        boolean[] continuation = new boolean[vocabulary.size()];
        for (int id = 0; id < continuation.length; id++) {
            continuation[id] = vocabulary.contains(id) && vocabulary.token(id).startsWith("##");
        }
        EncodeOptions plain = EncodeOptions.DEFAULT.withAddSpecialTokens(false);
        return new WordPieceIds() {
            @Override
            public int[] encode(String line) {
                return tokenizer.encode(line, null, plain).ids();
            }

            @Override
            public int vocabSize() {
                return vocabulary.size();
            }

            @Override
            public int clsId() {
                return vocabulary.clsId();
            }

            @Override
            public int sepId() {
                return vocabulary.sepId();
            }

            @Override
            public int maskId() {
                return vocabulary.maskId();
            }

            @Override
            public int padId() {
                return vocabulary.padId();
            }

            @Override
            public boolean isContinuation(int id) {
                return continuation[id];
            }
        };
    }
}
