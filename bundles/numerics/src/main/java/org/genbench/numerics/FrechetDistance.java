package org.genbench.numerics;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Fréchet distance between two Gaussians fitted to features, as pytorch-fid computes it:
 * {@code ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr(sqrtm(S1 S2))}, with eps * I added to both covariances and the
 * distance computed again when the first attempt is not finite. All in float64.
 *
 * <p>pytorch-fid takes {@code scipy.linalg.sqrtm} of the non-symmetric product S1 S2 and keeps the real part when
 * rounding makes it complex. Only the trace is needed, and tr(sqrtm(S1 S2)) = tr(sqrtm(R S2 R)) with R = S1^(1/2)
 * (the two products are similar), where R S2 R is symmetric positive semi-definite: its square root's trace is the
 * sum of the square roots of its eigenvalues, from a symmetric eigensolver, which is faster and better conditioned
 * than a Schur-based sqrtm. Eigenvalues that rounding pushes below zero contribute 0: the real part of the square
 * root of a negative number, which is what taking scipy's real part does to them.
 *
 * <p>The eigensolver is LAPACK's divide-and-conquer {@code dsyevd} and the covariance BLAS's {@code dsyrk}, called on
 * the OpenBLAS that ND4J loads: ND4J's own {@code Eigen} wraps the QR-iteration {@code dsyev}, several times slower
 * at FID's usual 2048 dimensions.
 */
public final class FrechetDistance {
    public static final double DEFAULT_EPS = 1e-6;

    private FrechetDistance() {
    }

    /** Mean and unbiased covariance (numpy's {@code np.cov(x, rowvar=False)}) of features {@code [n, d]}. */
    public record Statistics(INDArray mean, INDArray covariance, long n) {
        public Statistics {
            if (mean.length() != covariance.rows() || covariance.rows() != covariance.columns()) {
                throw new IllegalArgumentException("mean of length " + mean.length() + " and covariance "
                        + Arrays.toString(covariance.shape()) + " do not fit");
            }
        }

        public int dimension() {
            return (int) mean.length();
        }

        public static Statistics of(double[] mean, double[][] covariance, long n) {
            return new Statistics(Nd4j.createFromArray(mean), Nd4j.createFromArray(covariance), n);
        }
    }

    /** {@code value}: the distance; {@code offsetApplied}: whether the eps * I retry was needed. */
    public record Result(double value, boolean offsetApplied, double eps) {
    }

    public static Statistics statistics(INDArray features) {
        if (features.rank() != 2 || features.rows() < 2) {
            throw new IllegalArgumentException("features must be [n >= 2, d], were " + Arrays.toString(features.shape()));
        }
        INDArray x = features.castTo(DataType.DOUBLE);
        long n = x.rows();
        int d = (int) x.columns();
        INDArray mean = x.mean(0);
        // A fresh C-order array, so its buffer can go to BLAS as it is, without copies through the Java heap.
        INDArray centred = x.subRowVector(mean);
        if (centred.ordering() != 'c' || centred.offset() != 0 || centred.data().length() != centred.length()) {
            centred = centred.dup('c');
        }
        INDArray cov = Nd4j.zeros(DataType.DOUBLE, d, d);
        // C = Xc^T Xc / (n - 1) by syrk: half the work of a general product, and symmetric by construction.
        DoublePointer a = new DoublePointer(centred.data().addressPointer());
        DoublePointer c = new DoublePointer(cov.data().addressPointer());
        openblas.cblas_dsyrk(openblas.CblasRowMajor, openblas.CblasUpper, openblas.CblasTrans, d, (int) n,
                1.0 / (n - 1), a, d, 0.0, c, d);
        // syrk filled the upper triangle; mirror it (C = U + U^T - diag(U)).
        INDArray upper = cov.dup('c');
        cov.addi(upper.transpose());
        for (int i = 0; i < d; i++) {
            cov.putScalar(i, i, upper.getDouble(i, i));
        }
        return new Statistics(mean, cov, n);
    }

    public static Result distance(Statistics a, Statistics b) {
        return distance(a, b, DEFAULT_EPS);
    }

    public static Result distance(Statistics a, Statistics b, double eps) {
        if (a.dimension() != b.dimension()) {
            throw new IllegalArgumentException("feature dimensions differ: " + a.dimension() + " and " + b.dimension());
        }
        INDArray s1 = a.covariance().castTo(DataType.DOUBLE);
        INDArray s2 = b.covariance().castTo(DataType.DOUBLE);
        INDArray diff = a.mean().castTo(DataType.DOUBLE).sub(b.mean().castTo(DataType.DOUBLE));
        double meanTerm = diff.mul(diff).sumNumber().doubleValue();
        double traces = trace(s1) + trace(s2);
        double trSqrt = traceSqrtProduct(s1, s2);
        boolean offset = false;
        if (!Double.isFinite(trSqrt)) {
            // pytorch-fid's retry for a product whose square root came out non-finite.
            INDArray eye = Nd4j.eye(s1.rows()).castTo(DataType.DOUBLE).muli(eps);
            trSqrt = traceSqrtProduct(s1.add(eye), s2.add(eye));
            offset = true;
        }
        return new Result(meanTerm + traces - 2 * trSqrt, offset, eps);
    }

    /** tr(sqrtm(S1 S2)) for symmetric positive semi-definite S1, S2, as the eigenvalue sum described above. */
    public static double traceSqrtProduct(INDArray s1, INDArray s2) {
        if (!finite(s1) || !finite(s2)) {
            return Double.NaN;
        }
        INDArray root = symmetricSqrt(s1);
        INDArray m = root.mmul(s2).mmul(root);
        m = m.add(m.transpose()).muli(0.5);
        double[] eigenvalues = eigen(m, false);
        double sum = 0;
        for (double v : eigenvalues) {
            sum += v > 0 ? Math.sqrt(v) : (Double.isNaN(v) ? Double.NaN : 0);
        }
        return sum;
    }

    /** S^(1/2) of a symmetric positive semi-definite matrix; rounding's negative eigenvalues are taken as 0. */
    public static INDArray symmetricSqrt(INDArray s) {
        int d = (int) s.rows();
        double[] vectors = s.dup('c').data().asDouble();
        double[] values = Linalg.symmetricEigen(vectors, d, true);
        INDArray v = Nd4j.create(vectors, new long[] {d, d}, 'c');
        double[] roots = new double[d];
        for (int i = 0; i < d; i++) {
            roots[i] = values[i] > 0 ? Math.sqrt(values[i]) : 0;
        }
        return v.mulRowVector(Nd4j.createFromArray(roots)).mmul(v.transpose());
    }

    private static double[] eigen(INDArray symmetric, boolean vectors) {
        return Linalg.symmetricEigen(symmetric.dup('c').data().asDouble(), (int) symmetric.rows(), vectors);
    }

    public static double trace(INDArray m) {
        double t = 0;
        for (long i = 0; i < m.rows(); i++) {
            t += m.getDouble(i, i);
        }
        return t;
    }

    private static boolean finite(INDArray a) {
        // A sum is finite only if no element is NaN or infinite (an overflowing sum of huge finite values is also
        // caught, and such a matrix would fail later anyway).
        return Double.isFinite(a.sumNumber().doubleValue());
    }
}
