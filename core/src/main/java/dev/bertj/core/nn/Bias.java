package dev.bertj.core.nn;

import java.nio.FloatBuffer;

/**
 * The gradient of a bias added to every row: the column sums of the output gradient. Split by columns, each
 * thread walking every row over its own columns, so no partial sums need merging and the result does not depend
 * on the number of threads.
 */
public final class Bias {

    private Bias() {
    }

    /** {@code dbias[j] += sum over rows r of dy[r * cols + j]} for columns {@code [from, to)}. */
    public static void backward(FloatBuffer dy, int rows, int cols, FloatBuffer dbias, int from, int to) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int j = from; j < to; j++) {
                dbias.put(j, dbias.get(j) + dy.get(o + j));
            }
        }
    }
}
