package org.genbench.numerics;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;

/**
 * LAPACK routines the workbench relies on, called on the OpenBLAS that ND4J loads (one copy of native code for
 * every bundle). Arrays are row-major {@code double[d * d]}. These are the very calls {@link NumericsCheck} checks.
 */
public final class Linalg {
    private Linalg() {
    }

    /**
     * Eigenvalues (ascending) of the symmetric row-major {@code a} by LAPACK's divide-and-conquer {@code dsyevd};
     * with {@code vectors}, {@code a} is overwritten by the eigenvectors as columns ({@code a[i * d + j]} is
     * component i of vector j). NaN eigenvalues if LAPACK does not converge or the input is not finite.
     */
    public static double[] symmetricEigen(double[] a, int d, boolean vectors) {
        checkSquare(a, d);
        double[] w = new double[d];
        try (DoublePointer pa = new DoublePointer(a); DoublePointer pw = new DoublePointer(d)) {
            int info = openblas.LAPACKE_dsyevd(openblas.LAPACK_ROW_MAJOR, (byte) (vectors ? 'V' : 'N'), (byte) 'U', d,
                    pa, d, pw);
            if (info != 0) {
                Arrays.fill(w, Double.NaN);
                return w;
            }
            pw.get(w);
            if (vectors) {
                pa.get(a);
            }
        }
        return w;
    }

    /**
     * The lower Cholesky factor L (S = L L^T) of the symmetric positive definite row-major {@code a}, in place, by
     * LAPACK's {@code dpotrf}; the strict upper triangle is set to 0. False, and {@code a} unspecified, when
     * {@code a} is not positive definite.
     */
    public static boolean cholesky(double[] a, int d) {
        checkSquare(a, d);
        try (DoublePointer pa = new DoublePointer(a)) {
            int info = openblas.LAPACKE_dpotrf(openblas.LAPACK_ROW_MAJOR, (byte) 'L', d, pa, d);
            if (info != 0) {
                return false;
            }
            pa.get(a);
        }
        for (int i = 0; i < d; i++) {
            Arrays.fill(a, i * d + i + 1, (i + 1) * d, 0.0);
        }
        return true;
    }

    private static void checkSquare(double[] a, int d) {
        if (d < 1 || a.length != (long) d * d) {
            throw new IllegalArgumentException("expected a " + d + " x " + d + " row-major matrix (" + (long) d * d
                    + " values), got " + a.length + " values");
        }
    }
}
