package dev.bertj.core.pretrain;

import dev.bertj.core.engine.Parallel;
import dev.bertj.core.model.BertActivations;
import dev.bertj.core.model.BertLMPredictionHead;
import dev.bertj.core.model.BertModel;
import dev.bertj.core.model.EncoderInput;
import dev.bertj.core.nn.Floats;
import dev.bertj.core.nn.Parameter;
import dev.bertj.core.nn.Rng;
import dev.bertj.core.pretrain.data.PretrainingBatch;
import dev.bertj.core.train.StepResult;
import dev.bertj.core.train.TrainingTask;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's pre-training objective, both tasks at once (google-research/bert's {@code run_pretraining.py}): the
 * masked-LM cross-entropy over the vocabulary at the masked positions only, weighted by
 * {@code masked_lm_weights} and averaged over them, plus the next-sentence cross-entropy on the pooled [CLS]
 * output averaged over the batch. Reports {@code mlm_loss}, {@code mlm_accuracy}, {@code nsp_loss} and
 * {@code nsp_accuracy}.
 *
 * <p>One step: the encoder's training forward (dropout drawn from this task's {@code "dropout"} generator), the
 * masked-LM head on the masked positions, both losses with their gradients written straight into the logits
 * buffers, the heads' backward passes, then the encoder's. Every buffer is allocated on the first batch of a
 * shape and reused after that.
 */
public final class PretrainingTask implements TrainingTask<PretrainingBatch> {

    private final PretrainingModel model;
    private final BertModel encoder;
    private final NextSentenceHead nextSentence;
    private final Rng dropout;
    private final int hidden;
    private final int vocab;

    // Buffers for the largest batch seen.
    private BertActivations act;
    private BertLMPredictionHead.Activations mlm;
    private Floats dSequence;
    private Floats nspLogits;
    private Floats dPooled;
    private int[] rows = new int[0];
    private int[] labels = new int[0];
    private float[] weights = new float[0];
    private double[] rowLoss = new double[0];
    private boolean[] rowCorrect = new boolean[0];
    private int capacityTokens;
    private int capacityBatch;

    /** @param dropout the generator of every dropout mask (saved in checkpoints as {@code "dropout"}) */
    public PretrainingTask(PretrainingModel model, Rng dropout) {
        this.model = model;
        this.encoder = model.encoder();
        this.nextSentence = model.nextSentence();
        this.dropout = dropout;
        this.hidden = model.config().hiddenSize();
        this.vocab = model.config().vocabSize();
    }

    @Override
    public List<Parameter> parameters() {
        return model.parameters();
    }

    @Override
    public Map<String, Rng> rngs() {
        return Map.of("dropout", dropout);
    }

    @Override
    public StepResult trainStep(PretrainingBatch batch, float lossScale) {
        EncoderInput input = input(batch);
        encoder.forward(input, act, dropout);
        Losses l = losses(batch, input, true, lossScale);
        dSequence.fill(0f);
        encoder.maskedLmBackward(rows, mlm, dSequence);
        nextSentence.backward(act.pooledOutput(), nspLogits, input.batch(), dPooled);
        encoder.backward(act, dSequence, dPooled);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("mlm_loss", l.mlmLoss);
        metrics.put("mlm_accuracy", l.mlmAccuracy());
        metrics.put("nsp_loss", l.nspLoss);
        metrics.put("nsp_accuracy", l.nspAccuracy());
        return new StepResult(l.mlmLoss + l.nspLoss, metrics, l.tokens);
    }

    /**
     * Both tasks on held-out batches in evaluation mode (no dropout, no gradients): {@code loss} (masked-LM plus
     * next-sentence), {@code mlm_loss} and {@code mlm_accuracy} over all masked positions, {@code nsp_loss} and
     * {@code nsp_accuracy} over all sequences.
     */
    public Map<String, Double> evaluate(Iterable<PretrainingBatch> batches) {
        double mlmLoss = 0;
        double mlmCorrect = 0;
        double mlmWeight = 0;
        double nspLoss = 0;
        double nspCorrect = 0;
        long sequences = 0;
        for (PretrainingBatch batch : batches) {
            EncoderInput input = input(batch);
            encoder.forward(input, act);
            Losses l = losses(batch, input, false, 0f);
            mlmLoss += l.mlmLoss * l.mlmWeight;
            mlmCorrect += l.mlmCorrect;
            mlmWeight += l.mlmWeight;
            nspLoss += l.nspLoss * l.sequences;
            nspCorrect += l.nspCorrect;
            sequences += l.sequences;
        }
        if (sequences == 0) {
            throw new IllegalArgumentException("no evaluation batches");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double mlm = mlmWeight > 0 ? mlmLoss / mlmWeight : 0;
        m.put("loss", mlm + nspLoss / sequences);
        m.put("mlm_loss", mlm);
        m.put("mlm_accuracy", mlmWeight > 0 ? mlmCorrect / mlmWeight : 0);
        m.put("nsp_loss", nspLoss / sequences);
        m.put("nsp_accuracy", nspCorrect / sequences);
        return m;
    }

    /** Sums of one batch. */
    private record Losses(double mlmLoss, double mlmCorrect, double mlmWeight, double nspLoss, double nspCorrect,
                          int sequences, long tokens) {
        double mlmAccuracy() {
            return mlmWeight > 0 ? mlmCorrect / mlmWeight : 0;
        }

        double nspAccuracy() {
            return nspCorrect / sequences;
        }
    }

    /**
     * Runs both heads on the encoder's outputs in {@link #act}; with {@code withGradients}, replaces the logits by
     * the gradient of {@code lossScale} times the joint loss.
     */
    private Losses losses(PretrainingBatch batch, EncoderInput input, boolean withGradients, float lossScale) {
        int b = input.batch();
        int seqLen = input.seqLen();
        int p = batch.maxPredictionsPerSeq;
        int n = 0;
        double weightSum = 0;
        for (int r = 0; r < b; r++) {
            for (int k = 0; k < p; k++) {
                int slot = r * p + k;
                float w = batch.maskedLmWeights[slot];
                if (w > 0) {
                    int position = batch.maskedLmPositions[slot];
                    if (position < 0 || position >= seqLen) {
                        throw new IllegalArgumentException("masked position " + position + " outside the sequence of "
                                + seqLen);
                    }
                    int label = batch.maskedLmIds[slot];
                    if (label < 0 || label >= vocab) {
                        throw new IllegalArgumentException("masked-LM label " + label + " outside the vocabulary of "
                                + vocab);
                    }
                    rows[n] = r * seqLen + position;
                    labels[n] = label;
                    weights[n] = w;
                    weightSum += w;
                    n++;
                }
            }
        }
        encoder.maskedLmForward(act, rows, n, mlm);
        float scale = weightSum > 0 ? (float) (lossScale / weightSum) : 0f;
        Floats logits = mlm.logits();
        Parallel.forRange(n, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                softmaxCrossEntropy(logits.buffer(), i * vocab, vocab, labels[i], withGradients, weights[i] * scale,
                        rowLoss, rowCorrect, i);
            }
        });
        double mlmLoss = 0;
        double mlmCorrect = 0;
        for (int i = 0; i < n; i++) {
            mlmLoss += weights[i] * rowLoss[i];
            mlmCorrect += rowCorrect[i] ? weights[i] : 0;
        }

        nextSentence.forward(act.pooledOutput(), b, nspLogits);
        double nspLoss = 0;
        int nspCorrect = 0;
        float nspScale = lossScale / b;
        for (int r = 0; r < b; r++) {
            int label = batch.nextSentenceLabels[r];
            if (label != 0 && label != 1) {
                throw new IllegalArgumentException("next-sentence label " + label + " is neither 0 (IsNext) nor 1");
            }
            softmaxCrossEntropy(nspLogits.buffer(), 2 * r, 2, batch.nextSentenceLabels[r], withGradients, nspScale,
                    rowLoss, rowCorrect, 0);
            nspLoss += rowLoss[0];
            nspCorrect += rowCorrect[0] ? 1 : 0;
        }
        long tokens = 0;
        for (int m : input.attentionMask()) {
            tokens += m;
        }
        return new Losses(weightSum > 0 ? mlmLoss / weightSum : 0, mlmCorrect, weightSum, nspLoss / b, nspCorrect, b,
                tokens);
    }

    /**
     * {@code -log softmax(z)[label]} of the {@code classes} logits at {@code offset} into {@code loss[slot]}, and
     * whether the arg-max is the label into {@code correct[slot]}; with {@code withGradient}, the logits are
     * replaced by {@code scale * (softmax(z) - onehot(label))}.
     */
    static void softmaxCrossEntropy(FloatBuffer z, int offset, int classes, int label, boolean withGradient,
                                    float scale, double[] loss, boolean[] correct, int slot) {
        float max = Float.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int c = 0; c < classes; c++) {
            float v = z.get(offset + c);
            if (v > max) {
                max = v;
                argmax = c;
            }
        }
        float target = z.get(offset + label);
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            float e = (float) Math.exp(z.get(offset + c) - max);
            if (withGradient) {
                z.put(offset + c, e);
            }
            sum += e;
        }
        loss[slot] = Math.log(sum) + max - target;
        correct[slot] = argmax == label;
        if (withGradient) {
            // The logits now hold exp(z - max): scale them into softmax - onehot.
            float inv = (float) (scale / sum);
            for (int c = 0; c < classes; c++) {
                z.put(offset + c, z.get(offset + c) * inv);
            }
            z.put(offset + label, z.get(offset + label) - scale);
        }
    }

    /** The encoder input of a batch (only its filled rows), with every buffer made large enough for it. */
    private EncoderInput input(PretrainingBatch batch) {
        int b = batch.size();
        if (b == 0) {
            throw new IllegalArgumentException("empty pre-training batch");
        }
        int s = batch.maxSeqLength;
        EncoderInput input;
        if (b == batch.batchSize) {
            input = new EncoderInput(b, s, batch.inputIds, batch.tokenTypeIds, batch.attentionMask);
        } else {
            input = new EncoderInput(b, s, java.util.Arrays.copyOf(batch.inputIds, b * s),
                    java.util.Arrays.copyOf(batch.tokenTypeIds, b * s), java.util.Arrays.copyOf(batch.attentionMask, b * s));
        }
        ensureCapacity(b, s, b * batch.maxPredictionsPerSeq);
        return input;
    }

    private void ensureCapacity(int batch, int seqLen, int predictions) {
        if (act == null) {
            act = encoder.newActivations(true);
        }
        int tokens = batch * seqLen;
        if (tokens > capacityTokens || batch > capacityBatch) {
            release(dSequence, nspLogits, dPooled);
            capacityTokens = Math.max(tokens, capacityTokens);
            capacityBatch = Math.max(batch, capacityBatch);
            dSequence = Floats.allocate((long) capacityTokens * hidden);
            nspLogits = Floats.allocate(2L * capacityBatch);
            dPooled = Floats.allocate((long) capacityBatch * hidden);
        }
        if (mlm == null || mlm.capacity() < predictions) {
            if (mlm != null) {
                mlm.close();
            }
            mlm = encoder.mlmHead().orElseThrow().newActivations(predictions);
            rows = new int[predictions];
            labels = new int[predictions];
            weights = new float[predictions];
            rowLoss = new double[Math.max(predictions, 1)];
            rowCorrect = new boolean[Math.max(predictions, 1)];
        }
    }

    private static void release(Floats... buffers) {
        for (Floats f : buffers) {
            if (f != null) {
                f.release();
            }
        }
    }

    /** Frees the workspaces (the model stays usable). */
    public void close() {
        if (act != null) {
            act.close();
            act = null;
        }
        if (mlm != null) {
            mlm.close();
            mlm = null;
        }
        release(dSequence, nspLogits, dPooled);
        dSequence = nspLogits = dPooled = null;
        capacityTokens = capacityBatch = 0;
    }
}
