package dev.bertj.core.nn;

/**
 * The gradient of a bias added to every row: the column sums of the output gradient, {@code dbias += dY^T ones},
 * as one BLAS matrix-vector product (a fused Java loop over columns is several times slower, and a GEMM with one
 * row slower still: OpenBLAS packs the whole matrix for it).
 */
public final class Bias {

    private static volatile Floats ones = null;

    private Bias() {
    }

    /** {@code dbias[j] += sum over rows r of dy[r * cols + j]}. */
    public static void backward(Floats dy, int rows, int cols, Floats dbias) {
        if (rows == 0) {
            return;
        }
        Floats o = ones(rows);
        Gemm.sgemv(true, rows, cols, 1f, dy.address(), cols, o.address(), 1f, dbias.address());
        // Another thread may have replaced the shared buffer meanwhile: keep this one alive through the call.
        java.lang.ref.Reference.reachabilityFence(o);
    }

    /** At least {@code n} ones, shared; grown (never changed in place) when a longer run is needed. */
    static Floats ones(int n) {
        Floats o = ones;
        if (o == null || o.length() < n) {
            synchronized (Bias.class) {
                o = ones;
                if (o == null || o.length() < n) {
                    o = Floats.allocate(Math.max(n, o == null ? 1024 : 2L * o.length()));
                    o.fill(1f);
                    ones = o;
                }
            }
        }
        return o;
    }
}
