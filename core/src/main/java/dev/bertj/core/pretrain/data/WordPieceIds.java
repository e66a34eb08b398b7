package dev.bertj.core.pretrain.data;

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
}
