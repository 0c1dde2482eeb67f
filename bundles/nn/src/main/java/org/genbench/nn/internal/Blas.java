package org.genbench.nn.internal;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/**
 * Row-major matrix products C = alpha op(A) op(B) + beta C on Java arrays with offsets, through OpenBLAS: natively on
 * pinned arrays when {@link Native#available()}, else through JavaCPP with copies (correct, slower).
 */
public final class Blas {
    private Blas() {
    }

    public static void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(c, cOff, m, n, ldc, beta);
            return;
        }
        if (Native.available()) {
            Native.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int aLen = (ta ? k - 1 : m - 1) * lda + (ta ? m : k);
        int bLen = (tb ? n - 1 : k - 1) * ldb + (tb ? k : n);
        int cLen = (m - 1) * ldc + n;
        try (FloatPointer pa = new FloatPointer(aLen); FloatPointer pb = new FloatPointer(bLen);
             FloatPointer pc = new FloatPointer(cLen)) {
            pa.put(a, aOff, aLen);
            pb.put(b, bOff, bLen);
            pc.put(c, cOff, cLen);
            openblas.cblas_sgemm(openblas.CblasRowMajor, ta ? openblas.CblasTrans : openblas.CblasNoTrans,
                    tb ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            pc.get(c, cOff, cLen);
        }
    }

    public static void dgemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                             double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cOff + i * ldc + j] = beta == 0 ? 0 : beta * c[cOff + i * ldc + j];
                }
            }
            return;
        }
        if (Native.available()) {
            Native.dgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int aLen = (ta ? k - 1 : m - 1) * lda + (ta ? m : k);
        int bLen = (tb ? n - 1 : k - 1) * ldb + (tb ? k : n);
        int cLen = (m - 1) * ldc + n;
        try (DoublePointer pa = new DoublePointer(aLen); DoublePointer pb = new DoublePointer(bLen);
             DoublePointer pc = new DoublePointer(cLen)) {
            pa.put(a, aOff, aLen);
            pb.put(b, bOff, bLen);
            pc.put(c, cOff, cLen);
            openblas.cblas_dgemm(openblas.CblasRowMajor, ta ? openblas.CblasTrans : openblas.CblasNoTrans,
                    tb ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            pc.get(c, cOff, cLen);
        }
    }

    private static void scale(float[] c, int cOff, int m, int n, int ldc, float beta) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOff + i * ldc + j] = beta == 0 ? 0 : beta * c[cOff + i * ldc + j];
            }
        }
    }
}
