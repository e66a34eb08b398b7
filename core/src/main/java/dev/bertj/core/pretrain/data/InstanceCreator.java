package dev.bertj.core.pretrain.data;

import dev.bertj.core.nn.Rng;

import java.util.Arrays;
import java.util.List;

/**
 * Sentence-pair instances from one document, with the semantics of {@code create_instances_from_document} and
 * {@code truncate_seq_pair} in google-research/bert's {@code create_pretraining_data.py}:
 * <ul>
 *   <li>the target length is {@code max_seq_length - 3}, or with probability {@code short_seq_prob} a uniform
 *       {@code randint(2, max_seq_length - 3)};</li>
 *   <li>sentences are gathered into a chunk until it reaches the target length or the document ends; segment A is
 *       the first {@code a_end} sentences of the chunk, {@code a_end} uniform in [1, chunk size - 1] (1 for a
 *       one-sentence chunk);</li>
 *   <li>B is a random segment (label IsNext = false) when the chunk has one sentence or with probability 0.5:
 *       sentences from a random start in a random other document until B reaches {@code target - len(A)}; the
 *       chunk's sentences after A are "put back" and start the next chunk. Otherwise B is the rest of the
 *       chunk;</li>
 *   <li>the pair is truncated to {@code max_seq_length - 3} by removing, one token at a time, from the longer
 *       segment (B on ties), at its front or back with probability 0.5 each.</li>
 * </ul>
 * One deliberate difference: the reference draws the random document up to ten times hoping it differs from the
 * current one (and keeps the same document if all ten draws hit it); this draws uniformly among the other
 * documents, which is the same distribution without the rare fallback, so a random next segment never comes from
 * the same document.
 *
 * <p>The reference's calls on Python's {@code random.Random} map onto {@link Rng}: {@code random()} is
 * {@link Rng#nextDouble()}, {@code randint(a, b)} (both ends inclusive) is {@code nextInt(a, b + 1)}, and
 * {@code shuffle} is {@link Rng#shuffle(List)} (Fisher-Yates from the last element down, as Python's). The bit
 * streams differ from Python's Mersenne Twister; the distributions are the same.
 *
 * <p>One instance per generator thread: it reuses scratch buffers between calls.
 */
final class InstanceCreator {

    private final WordPieceIds vocab;
    private final int maxNumTokens;
    private final double shortSeqProb;
    private final MaskedLmMasking masking;

    private int[] a = new int[256];
    private int[] b = new int[256];

    InstanceCreator(WordPieceIds vocab, PretrainingOptions options) {
        this.vocab = vocab;
        this.maxNumTokens = options.maxSeqLength() - 3; // room for [CLS], [SEP], [SEP]
        this.shortSeqProb = options.shortSeqProb();
        this.masking = new MaskedLmMasking(vocab, options);
    }

    /**
     * Appends the instances of {@code documents[documentIndex]} to {@code out}.
     *
     * @param documents every document of the shard, each a list of sentences of WordPiece ids (none empty)
     */
    void createInstances(List<int[][]> documents, int documentIndex, Rng rng, List<TrainingInstance> out) {
        if (documents.size() < 2) {
            throw new IllegalArgumentException("random next segments need at least two documents, got "
                    + documents.size());
        }
        int[][] document = documents.get(documentIndex);

        int targetSeqLength = maxNumTokens;
        if (rng.nextDouble() < shortSeqProb) {
            targetSeqLength = rng.nextInt(2, maxNumTokens + 1); // randint(2, max_num_tokens)
        }

        // The current chunk is document[chunkStart .. i], a run of whole sentences.
        int chunkStart = 0;
        int currentLength = 0;
        int i = 0;
        while (i < document.length) {
            currentLength += document[i].length;
            if (i == document.length - 1 || currentLength >= targetSeqLength) {
                int chunkSize = i - chunkStart + 1;
                int aEnd = 1;
                if (chunkSize >= 2) {
                    aEnd = rng.nextInt(1, chunkSize); // randint(1, len(current_chunk) - 1)
                }
                int aLength = 0;
                for (int j = 0; j < aEnd; j++) {
                    aLength = append(true, aLength, document[chunkStart + j]);
                }

                int bLength = 0;
                boolean isRandomNext;
                if (chunkSize == 1 || rng.nextDouble() < 0.5) {
                    isRandomNext = true;
                    int targetBLength = targetSeqLength - aLength;
                    int randomDocumentIndex = rng.nextInt(0, documents.size() - 1); // one of the other documents
                    if (randomDocumentIndex >= documentIndex) {
                        randomDocumentIndex++;
                    }
                    int[][] randomDocument = documents.get(randomDocumentIndex);
                    int randomStart = rng.nextInt(0, randomDocument.length);
                    for (int j = randomStart; j < randomDocument.length; j++) {
                        bLength = append(false, bLength, randomDocument[j]);
                        if (bLength >= targetBLength) {
                            break;
                        }
                    }
                    // The chunk's sentences after A were not used: put them back for the next chunk.
                    i -= chunkSize - aEnd;
                } else {
                    isRandomNext = false;
                    for (int j = aEnd; j < chunkSize; j++) {
                        bLength = append(false, bLength, document[chunkStart + j]);
                    }
                }
                out.add(buildInstance(aLength, bLength, isRandomNext, rng));
                chunkStart = i + 1;
                currentLength = 0;
            }
            i++;
        }
    }

    private TrainingInstance buildInstance(int aLength, int bLength, boolean isRandomNext, Rng rng) {
        // truncate_seq_pair on the windows a[aFrom, aTo) and b[bFrom, bTo).
        int aFrom = 0;
        int aTo = aLength;
        int bFrom = 0;
        int bTo = bLength;
        while ((aTo - aFrom) + (bTo - bFrom) > maxNumTokens) {
            boolean truncateA = (aTo - aFrom) > (bTo - bFrom);
            boolean front = rng.nextDouble() < 0.5;
            if (truncateA) {
                if (front) {
                    aFrom++;
                } else {
                    aTo--;
                }
            } else if (front) {
                bFrom++;
            } else {
                bTo--;
            }
        }
        int aCount = aTo - aFrom;
        int bCount = bTo - bFrom;
        if (aCount < 1 || bCount < 1) {
            throw new IllegalStateException("empty segment after truncation: " + aCount + " + " + bCount);
        }

        int[] tokens = new int[aCount + bCount + 3];
        tokens[0] = vocab.clsId();
        System.arraycopy(a, aFrom, tokens, 1, aCount);
        tokens[aCount + 1] = vocab.sepId();
        System.arraycopy(b, bFrom, tokens, aCount + 2, bCount);
        tokens[tokens.length - 1] = vocab.sepId();

        MaskedLmMasking.Masked masked = masking.mask(tokens, rng);
        return new TrainingInstance(tokens, aCount + 2, isRandomNext, masked.positions(), masked.labelIds());
    }

    /** Appends a sentence to segment A or B and returns the new length. */
    private int append(boolean toA, int length, int[] sentence) {
        int[] target = toA ? a : b;
        if (length + sentence.length > target.length) {
            target = Arrays.copyOf(target, Math.max(length + sentence.length, 2 * target.length));
            if (toA) {
                a = target;
            } else {
                b = target;
            }
        }
        System.arraycopy(sentence, 0, target, length, sentence.length);
        return length + sentence.length;
    }
}
