package dev.bertj.heads.translation;

import dev.bertj.core.nn.Tape;
import dev.bertj.core.nn.Var;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What incremental decoding keeps between steps, per layer: the self-attention keys and values of every
 * position decoded so far (a step appends its own, so it never recomputes the prefix) and the cross-attention
 * keys and values of the encoder memory (computed once per sentence). One row per hypothesis: a sentence in
 * greedy search, a beam in beam search. {@link #select} reorders rows when beams are re-ranked and drops rows of
 * finished sentences.
 *
 * <p>Layouts are row-major per hypothesis so that selecting rows is one gather: self keys {@code [rows,
 * length * hidden]}, cross keys {@code [rows, srcLen * hidden]}; both reshape without copying to the
 * {@code [rows * len, hidden]} layout attention reads.
 */
final class KeyValueCache {

    private final int hidden;
    private final int sourceLength;
    private final INDArray[] selfKeys;
    private final INDArray[] selfValues;
    private final INDArray[] crossKeys;
    private final INDArray[] crossValues;
    private int[][] memoryMask;
    private int rows;
    private int length;

    /**
     * @param crossKeys   per layer {@code [rows * srcLen, hidden]}
     * @param crossValues per layer {@code [rows * srcLen, hidden]}
     * @param memoryMask  per row, 1 for real source tokens
     */
    KeyValueCache(INDArray[] crossKeys, INDArray[] crossValues, int[][] memoryMask, int hidden) {
        int layers = crossKeys.length;
        this.hidden = hidden;
        this.rows = memoryMask.length;
        this.sourceLength = memoryMask[0].length;
        this.memoryMask = memoryMask;
        this.selfKeys = new INDArray[layers];
        this.selfValues = new INDArray[layers];
        this.crossKeys = new INDArray[layers];
        this.crossValues = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            this.crossKeys[l] = crossKeys[l].reshape(rows, (long) sourceLength * hidden);
            this.crossValues[l] = crossValues[l].reshape(rows, (long) sourceLength * hidden);
        }
    }

    int rows() {
        return rows;
    }

    /** Positions decoded so far: the position of the next step. */
    int length() {
        return length;
    }

    int[][] memoryMask() {
        return memoryMask;
    }

    Var crossKeys(Tape tape, int layer) {
        return tape.constant(crossKeys[layer].reshape((long) rows * sourceLength, hidden));
    }

    Var crossValues(Tape tape, int layer) {
        return tape.constant(crossValues[layer].reshape((long) rows * sourceLength, hidden));
    }

    /** Appends this step's keys {@code [rows, hidden]} and returns all of them, {@code [rows * (length + 1), hidden]}. */
    Var appendSelfKeys(Tape tape, int layer, Var stepKeys) {
        selfKeys[layer] = append(selfKeys[layer], stepKeys.value());
        return tape.constant(selfKeys[layer].reshape((long) rows * (length + 1), hidden));
    }

    Var appendSelfValues(Tape tape, int layer, Var stepValues) {
        selfValues[layer] = append(selfValues[layer], stepValues.value());
        return tape.constant(selfValues[layer].reshape((long) rows * (length + 1), hidden));
    }

    private INDArray append(INDArray cached, INDArray step) {
        if (step.rows() != rows || step.columns() != hidden) {
            throw new IllegalStateException("a decoding step of shape " + java.util.Arrays.toString(step.shape())
                    + " does not fit a cache of " + rows + " rows x " + hidden);
        }
        if (length == 0) {
            return step.dup('c');
        }
        return Nd4j.hstack(cached, step);
    }

    /** Called once per step after every layer has appended. */
    void advance() {
        length++;
    }

    /**
     * Keeps rows {@code index[i]} as the new row i (repeats allowed: a beam that spawns two continuations),
     * for every cached array and the memory mask.
     */
    void select(int[] index) {
        for (int l = 0; l < crossKeys.length; l++) {
            crossKeys[l] = Nd4j.pullRows(crossKeys[l], 1, index);
            crossValues[l] = Nd4j.pullRows(crossValues[l], 1, index);
            if (length > 0) {
                selfKeys[l] = Nd4j.pullRows(selfKeys[l], 1, index);
                selfValues[l] = Nd4j.pullRows(selfValues[l], 1, index);
            }
        }
        int[][] mask = new int[index.length][];
        for (int i = 0; i < index.length; i++) {
            mask[i] = memoryMask[index[i]];
        }
        memoryMask = mask;
        rows = index.length;
    }
}
