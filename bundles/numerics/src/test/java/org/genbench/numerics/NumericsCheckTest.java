package org.genbench.numerics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The checks pass on this machine's BLAS, and each one fails when fed a wrong answer of the kind it exists to
 * catch: OpenBLAS 0.3.19 on Sapphire Rapids returned right eigenvalues with wrong eigenvectors.
 */
class NumericsCheckTest {
    /** The platform's decompositions with one deliberate defect. */
    private abstract static class Broken implements NumericsCheck.Kernels {
        @Override
        public double[] symmetricEigen(double[] a, int d, boolean vectors) {
            return Linalg.symmetricEigen(a, d, vectors);
        }

        @Override
        public boolean cholesky(double[] a, int d) {
            return Linalg.cholesky(a, d);
        }
    }

    @Test
    void everyCheckPassesOnThisMachine() {
        List<NumericsCheck.Line> lines = NumericsCheck.run();
        String report = lines.stream().map(l -> l.format(20)).collect(Collectors.joining("\n"));
        assertTrue(lines.stream().allMatch(NumericsCheck.Line::ok), report);
        assertEquals(4 + NumericsCheck.EIGEN_SIZES.length + 2, lines.size(), report);
        System.out.println(report);
    }

    @Test
    void eigenvectorsMixedTogetherAsOnSapphireRapidsFail() {
        // Right eigenvalues, but two eigenvectors rotated into each other by 45 degrees: still orthonormal, so only
        // the residual can tell.
        NumericsCheck.Kernels mixing = new Broken() {
            @Override
            public double[] symmetricEigen(double[] a, int d, boolean vectors) {
                double[] w = super.symmetricEigen(a, d, vectors);
                int i = d - 1;
                int j = 0;
                double c = Math.sqrt(0.5);
                for (int r = 0; r < d; r++) {
                    double vi = a[r * d + i];
                    double vj = a[r * d + j];
                    a[r * d + i] = c * vi + c * vj;
                    a[r * d + j] = -c * vi + c * vj;
                }
                return w;
            }
        };
        NumericsCheck.Line line = NumericsCheck.eigen(mixing, 128);
        assertFalse(line.ok(), line.toString());
        assertTrue(line.detail().startsWith("residual "), line.detail());
        assertTrue(line.advice().contains("OPENBLAS_CORETYPE"), line.advice());
        assertTrue(NumericsCheck.eigen(NumericsCheck.PLATFORM, 128).ok());
    }

    @Test
    void aWrongEigenvalueFailsEvenWithRightVectors() {
        NumericsCheck.Kernels shifted = new Broken() {
            @Override
            public double[] symmetricEigen(double[] a, int d, boolean vectors) {
                double[] w = super.symmetricEigen(a, d, vectors);
                w[d / 2] += 1e-6 * Math.abs(w[d - 1]);
                return w;
            }
        };
        assertFalse(NumericsCheck.eigen(shifted, 512).ok());
    }

    @Test
    void eigenvectorsThatAreNotOrthonormalFail() {
        NumericsCheck.Kernels scaled = new Broken() {
            @Override
            public double[] symmetricEigen(double[] a, int d, boolean vectors) {
                double[] w = super.symmetricEigen(a, d, vectors);
                for (int r = 0; r < d; r++) {
                    a[r * d + 3] *= 1 + 1e-7; // vector 3 slightly too long: still an eigenvector, not unit length
                }
                return w;
            }
        };
        double[] s = symmetric(40);
        double[] v = s.clone();
        double[] w = scaled.symmetricEigen(v, 40, true);
        NumericsCheck.Line line = NumericsCheck.verifyEigen("scaled", s, 40, w, v, 0);
        assertFalse(line.ok(), line.toString());
        assertTrue(line.detail().matches(".*orthogonality [0-9.]+e-0[78].*"), line.detail());
    }

    @Test
    void aFailedOrNonFiniteDecompositionFails() {
        double[] s = symmetric(16);
        double[] v = s.clone();
        double[] w = Linalg.symmetricEigen(v, 16, true);
        w[5] = Double.NaN;
        assertFalse(NumericsCheck.verifyEigen("nan", s, 16, w, v, 0).ok());
        double[] unordered = Linalg.symmetricEigen(s.clone(), 16, false);
        double[] swapped = unordered.clone();
        swapped[0] = unordered[1];
        swapped[1] = unordered[0];
        double[] vectors = s.clone();
        Linalg.symmetricEigen(vectors, 16, true);
        assertFalse(NumericsCheck.verifyEigen("order", s, 16, swapped, vectors, 0).ok());
    }

    @Test
    void aProductOffByMoreThanRoundingFails() {
        int m = 7;
        int k = 300;
        int n = 5;
        SplittableRandom rng = new SplittableRandom(3);
        double[] a = new double[m * k];
        double[] b = new double[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextDouble() - 0.5;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rng.nextDouble() - 0.5;
        }
        double[] ref = NumericsCheck.javaProduct(a, b, m, k, n);
        double[] bound = NumericsCheck.javaProduct(abs(a), abs(b), m, k, n);
        assertTrue(NumericsCheck.verifyProduct("exact", ref.clone(), ref, bound, k, false, 1, 1).ok());
        double[] wrong = ref.clone();
        wrong[17] += 1e-9 * bound[17]; // far below single-precision rounding, far above double's
        assertFalse(NumericsCheck.verifyProduct("dgemm", wrong, ref, bound, k, false, 1, 1).ok());
        assertTrue(NumericsCheck.verifyProduct("sgemm", wrong, ref, bound, k, true, 1, 1).ok());
        wrong[3] = Double.NaN;
        assertFalse(NumericsCheck.verifyProduct("sgemm", wrong, ref, bound, k, true, 1, 1).ok());
    }

    @Test
    void aWrongCholeskyFactorOrAnAcceptedIndefiniteMatrixFails() {
        NumericsCheck.Kernels perturbed = new Broken() {
            @Override
            public boolean cholesky(double[] a, int d) {
                boolean ok = super.cholesky(a, d);
                a[(d - 1) * d + 2] += 1e-6;
                return ok;
            }
        };
        assertFalse(NumericsCheck.cholesky(perturbed, 64).ok());
        NumericsCheck.Kernels accepting = new Broken() {
            @Override
            public boolean cholesky(double[] a, int d) {
                super.cholesky(a, d);
                return true;
            }
        };
        NumericsCheck.Line line = NumericsCheck.cholesky(accepting, 64);
        assertFalse(line.ok());
        assertTrue(line.detail().contains("NOT refused"), line.detail());
        assertTrue(NumericsCheck.cholesky(NumericsCheck.PLATFORM, 64).ok());
    }

    @Test
    void theClosedFormFrechetDistanceIsMatched() {
        NumericsCheck.Line line = NumericsCheck.frechetDistance(48);
        assertTrue(line.ok(), line.toString());
    }

    @Test
    void aFailedLineSaysWhatToDo() {
        NumericsCheck.Line fail = new NumericsCheck.Line("dsyevd d=2048", false, "residual 0.9", "update OpenBLAS");
        assertEquals("FAIL  dsyevd d=2048   residual 0.9\n      -> update OpenBLAS", fail.format(14));
        assertEquals("OK    x               fine", NumericsCheck.Line.ok("x", "fine").format(14));
    }

    private static double[] symmetric(int d) {
        return NumericsCheck.symmetric(new SplittableRandom(d), d);
    }

    private static double[] abs(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.abs(x[i]);
        }
        return out;
    }
}
