package dev.bertj.core.nn;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.OPENBLAS_GEMM_MULTITHREAD_THRESHOLD;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

/**
 * Row-major single-precision GEMM on raw addresses: {@code C = alpha * op(A) op(B) + beta * C}. This is the BLAS
 * that ND4J itself calls (the OpenBLAS shipped with it, kernel chosen by {@link dev.bertj.core.engine.CpuSetup});
 * calling it directly lets a GEMM read and write sub-matrices in place (one attention head inside the fused
 * Q/K/V buffer, one head's slice of the context) through leading dimensions, with no copies and no per-call
 * native allocation.
 */
public final class Gemm {

    /** Three reusable pointers per thread, re-aimed for every call. */
    private static final ThreadLocal<Floats.AddressPointer[]> POINTERS = ThreadLocal.withInitial(
            () -> new Floats.AddressPointer[] {new Floats.AddressPointer(), new Floats.AddressPointer(),
                new Floats.AddressPointer()});

    /**
     * The largest {@code m * n * k} OpenBLAS runs in the calling thread (its interface/gemm.c: SMP_THRESHOLD_MIN
     * 65536 times GEMM_MULTITHREAD_THRESHOLD). Many small GEMMs (one attention head each) are faster cut into
     * blocks below it and spread over the cores by the caller: no BLAS thread wakes up per call.
     */
    public static final long SINGLE_THREAD_WORK = 65536L * OPENBLAS_GEMM_MULTITHREAD_THRESHOLD;

    private Gemm() {
    }

    /** Rows per block so that an {@code [rows x n] = [rows x k] [k x n]} product stays in the calling thread. */
    public static int singleThreadRows(int n, int k) {
        return (int) Math.max(1, SINGLE_THREAD_WORK / Math.max(1L, (long) n * k));
    }

    /**
     * @param a   address of A; A is m x k (k x m when {@code transA}), rows {@code lda} floats apart
     * @param b   address of B; B is k x n (n x k when {@code transB}), rows {@code ldb} floats apart
     * @param c   address of C, m x n, rows {@code ldc} floats apart
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                             long b, int ldb, float beta, long c, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            throw new IllegalArgumentException("sgemm with k = 0");
        }
        Floats.AddressPointer[] p = POINTERS.get();
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, p[0].at(a, 0), lda, p[1].at(b, 0), ldb, beta, p[2].at(c, 0), ldc);
    }

    /**
     * Row-major {@code y = alpha * op(A) x + beta * y}, {@code A} m x n with rows {@code lda} floats apart,
     * contiguous vectors.
     */
    public static void sgemv(boolean transA, int m, int n, float alpha, long a, int lda, long x, float beta, long y) {
        if (m == 0 || n == 0) {
            return;
        }
        Floats.AddressPointer[] p = POINTERS.get();
        cblas_sgemv(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, m, n, alpha, p[0].at(a, 0), lda, p[1].at(x, 0),
                1, beta, p[2].at(y, 0), 1);
    }

    /**
     * A linear layer without its bias, the way PyTorch stores it: {@code y[rows, out] = x[rows, in] . W[out, in]^T
     * + beta * y}, all contiguous.
     */
    public static void linear(Floats x, long xOffset, Floats w, Floats y, long yOffset, int rows, int in, int out,
                              float beta) {
        sgemm(false, true, rows, out, in, 1f, x.address(xOffset), in, w.address(), in, beta, y.address(yOffset), out);
    }

    /** The weight gradient of {@link #linear}: {@code dW[out, in] += dY[rows, out]^T . x[rows, in]}. */
    public static void linearWeightGrad(Floats dy, Floats x, Floats dw, int rows, int in, int out) {
        sgemm(true, false, out, in, rows, 1f, dy.address(), out, x.address(), in, 1f, dw.address(), in);
    }

    /** The input gradient of {@link #linear}: {@code dX[rows, in] = dY[rows, out] . W[out, in] + beta * dX}. */
    public static void linearInputGrad(Floats dy, Floats w, Floats dx, int rows, int in, int out, float beta) {
        sgemm(false, false, rows, in, out, 1f, dy.address(), out, w.address(), in, beta, dx.address(), in);
    }
}
