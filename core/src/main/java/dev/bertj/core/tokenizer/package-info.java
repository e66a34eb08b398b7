/**
 * BERT's WordPiece tokenizer, identical to Hugging Face's {@code BertTokenizerFast}, and a WordPiece vocabulary
 * trainer.
 *
 * <pre>{@code
 * WordPieceTokenizer tokenizer = WordPieceTokenizer.load(modelDir);          // tokenizer.json or vocab.txt
 * Encoding e = tokenizer.encode("Who wrote it?", context,
 *         EncodeOptions.truncate(384).withTruncation(Truncation.ONLY_SECOND).withStride(128));
 * int[] ids = e.ids();                  // [CLS] question [SEP] context [SEP]
 * int[] segments = e.typeIds();         // 0 ... 0 1 ... 1
 * int start = e.offsetStart()[i];       // token i's span in its text: text.substring(start, e.offsetEnd()[i])
 * for (Encoding window : e.overflowing()) { ... }   // the rest of the context, 128 tokens of overlap
 * }</pre>
 *
 * <p>The pieces, in pipeline order: {@link dev.bertj.core.tokenizer.AddedTokens} (special tokens written in the
 * text), {@link dev.bertj.core.tokenizer.CharNormalizer} (BertNormalizer and BertPreTokenizer as one table, over
 * {@link dev.bertj.core.tokenizer.UnicodeTables}, the reference's Unicode data),
 * {@link dev.bertj.core.tokenizer.WordPieceModel} (greedy longest-match-first over a trie), all driven by
 * {@link dev.bertj.core.tokenizer.SequenceEncoder}; then {@link dev.bertj.core.tokenizer.PostProcessor} (truncation,
 * overflow windows, the {@code [CLS]}/{@code [SEP]} template, padding). Parity with the reference is tested in
 * {@code WordPieceParityTest}, {@code EveryCodePointParityTest} and {@code WordPiecePropertyTest}.
 */
package dev.bertj.core.tokenizer;
