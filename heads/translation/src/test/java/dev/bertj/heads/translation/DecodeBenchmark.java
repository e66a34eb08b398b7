package dev.bertj.heads.translation;

import dev.bertj.core.nn.Rng;
import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.modules.Init;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Locale;

/**
 * Decoding speed of a decoder of a given size, independent of training: random weights (BERT's initialisation)
 * and a random encoder memory of BERT-base width. Random weights practically never emit the end token, so every
 * sentence runs to {@code max_length - 1} generated tokens: set it to the target length you want to time (Multi30k's
 * German sentences average about 17 WordPieces with an 8k vocabulary, plus the end token).
 *
 * <pre>
 * java -cp ... dev.bertj.heads.translation.DecodeBenchmark [layers hidden heads ffn vocab sentences srcLen maxLength]
 * defaults: 3 512 8 2048 8000 64 16 19  (the head's default decoder, Multi30k-like lengths)
 * </pre>
 */
public final class DecodeBenchmark {

    public static void main(String[] args) {
        int[] a = {3, 512, 8, 2048, 8000, 64, 16, 19};
        for (int i = 0; i < Math.min(args.length, a.length); i++) {
            a[i] = Integer.parseInt(args[i]);
        }
        DecoderConfig c = new DecoderConfig(a[4], a[1], a[0], a[2], a[3], "gelu", 0, 0, 128, 1e-12, 0.02, 768, 0.1);
        TransformerDecoder decoder = TransformerDecoder.create(c, new Rng(1));
        int sentences = a[5];
        int srcLen = a[6];
        int maxLength = a[7];
        INDArray encoder = Init.normal(new long[] {(long) sentences * srcLen, 768}, 1.0, new Rng(2));
        int[][] mask = new int[sentences][srcLen];
        for (int[] m : mask) {
            Arrays.fill(m, 1);
        }
        SequenceGenerator generator = new SequenceGenerator(decoder, 2, 3);
        System.out.printf(Locale.ROOT, "decoder %d layers x %d hidden x %d heads x %d ffn, vocab %d; %d sentences, "
                + "%d source tokens, %d generated tokens each%n", a[0], a[1], a[2], a[3], a[4], sentences, srcLen, maxLength - 1);
        for (int beams : new int[] {1, 4}) {
            for (int batch : new int[] {1, 32}) {
                GenerationOptions o = new GenerationOptions(beams, maxLength, 1.0, false);
                run(decoder, generator, encoder, mask, srcLen, Math.min(batch, sentences), o);  // warm-up
                long start = System.nanoTime();
                int done = run(decoder, generator, encoder, mask, srcLen, batch, o);
                double s = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "beams %d, batch %2d: %.1f sentences/s (%.1f ms per sentence)%n",
                        beams, batch, done / s, 1000 * s / done);
            }
        }
    }

    private static int run(TransformerDecoder decoder, SequenceGenerator generator, INDArray encoder, int[][] mask,
                           int srcLen, int batch, GenerationOptions o) {
        int n = mask.length;
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            Tape tape = Tape.inference();
            INDArray enc = encoder.get(org.nd4j.linalg.indexing.NDArrayIndex.interval((long) from * srcLen, (long) to * srcLen),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
            INDArray memory = decoder.memory(tape, tape.constant(enc)).value();
            generator.generate(memory, Arrays.copyOfRange(mask, from, to), o);
        }
        return n;
    }
}
