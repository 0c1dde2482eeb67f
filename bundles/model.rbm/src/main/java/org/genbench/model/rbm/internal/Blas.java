package org.genbench.model.rbm.internal;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_dgemm;

/** Row-major products through the OpenBLAS the platform loads (no ND4J dispatch or allocation per call). */
final class Blas {
    private Blas() {
    }

    /**
     * c = alpha op(a) op(b) + beta c, where op(a) is m x k, op(b) is k x n and c is m x n, all row-major and dense;
     * {@code ta} and {@code tb} say whether a (stored k x m) and b (stored n x k) are transposed.
     */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, double[] b, double beta,
            double[] c) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m * n; i++) {
                c[i] *= beta;
            }
            return;
        }
        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha,
                a, ta ? m : k, b, tb ? k : n, beta, c, n);
    }
}
