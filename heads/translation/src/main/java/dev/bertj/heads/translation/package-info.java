/**
 * The translation head: a Transformer decoder on BERT's encoder (the bert2bert layout of Hugging Face's
 * {@code EncoderDecoderModel} with a {@code BertLMHeadModel} decoder), a target-side WordPiece vocabulary,
 * greedy and beam search with a key/value cache, and corpus BLEU/chrF ({@link dev.bertj.heads.translation.metrics}).
 */
package dev.bertj.heads.translation;
