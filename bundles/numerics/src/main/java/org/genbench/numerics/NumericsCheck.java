package org.genbench.numerics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks, on the machine it runs on, that the platform's BLAS and LAPACK give right answers: single and double
 * products (through ND4J and through CBLAS directly) against a plain-Java product, the symmetric eigen-decomposition
 * ({@code dsyevd}, which FID rests on) at d = 128, 512 and 2048 by its residual, the orthogonality of its vectors and
 * the trace and Frobenius norm its eigenvalues must reproduce, Cholesky ({@code dpotrf}) by reconstruction, and a
 * Fréchet distance between Gaussians whose distance is known in closed form.
 *
 * <p>Why: OpenBLAS picks its kernels by CPU model when it loads, and a release that does not know the CPU can pick
 * wrong ones. OpenBLAS 0.3.19 on Sapphire Rapids returned eigenvectors with residuals of order 1 at d >= 100, and
 * every 2048-d FID was silently wrong. The references here are independent of the code under test: plain Java, or
 * invariants (trace, Frobenius norm, orthogonality, closed forms) computed in plain Java.
 *
 * <p>{@code bin/genbench doctor} prints these lines; {@link NumericsGate} runs them once per host and library
 * versions and the workbench refuses to start a run when one fails.
 */
public final class NumericsCheck {
    /** Bumped whenever the checks change, so that results cached by {@link NumericsGate} are redone. */
    public static final int VERSION = 1;
    /** Eigen-decomposition sizes: below and above where 0.3.19 broke (~100), and FID's usual 2048. */
    public static final int[] EIGEN_SIZES = {128, 512, 2048};
    /** Residual, orthogonality and invariant errors allowed, relative; LAPACK achieves ~1e-14 at d = 2048. */
    public static final double EIGEN_TOLERANCE = 1e-10;
    static final int CHOLESKY_SIZE = 512;
    static final int FID_SIZE = 256;
    static final long SEED = 20_240_126L;
    /** Eigenvectors whose residual and orthogonality are computed in plain Java: all up to this d, else 128. */
    static final int ALL_COLUMNS_UP_TO = 512;
    static final int SAMPLED_COLUMNS = 128;

    private static final String FIX_BLAS = "the platform's OpenBLAS gives wrong results on this CPU: move to a release"
            + " that knows it (openblas.version in pom.xml), or as a stop-gap set OPENBLAS_CORETYPE to an older core"
            + " (e.g. Haswell), then run bin/genbench doctor again";

    private NumericsCheck() {
    }

    /** One checked property: OK or FAIL, what was measured, and what to do when it failed. */
    public record Line(String name, boolean ok, String detail, String advice) {
        public Line {
            advice = advice == null ? "" : advice;
        }

        static Line ok(String name, String detail) {
            return new Line(name, true, detail, "");
        }

        /** {@code OK    name  detail}, and for a failure the advice on a second line. */
        public String format(int nameWidth) {
            String head = String.format(Locale.ROOT, "%-4s  %-" + nameWidth + "s  %s", ok ? "OK" : "FAIL", name, detail);
            return ok || advice.isEmpty() ? head : head + "\n      -> " + advice;
        }
    }

    /**
     * The computations the checks exercise: the platform's ({@link #PLATFORM}), or in a test a deliberately
     * broken one, to show that a wrong answer is caught.
     */
    public interface Kernels {
        /** As {@link Linalg#symmetricEigen}. */
        double[] symmetricEigen(double[] a, int d, boolean vectors);

        /** As {@link Linalg#cholesky}. */
        boolean cholesky(double[] a, int d);
    }

    /** {@link Linalg}'s LAPACK calls on the loaded OpenBLAS. */
    public static final Kernels PLATFORM = new Kernels() {
        @Override
        public double[] symmetricEigen(double[] a, int d, boolean vectors) {
            return Linalg.symmetricEigen(a, d, vectors);
        }

        @Override
        public boolean cholesky(double[] a, int d) {
            return Linalg.cholesky(a, d);
        }
    };

    /** Every numerical check on the platform's kernels. */
    public static List<Line> run() {
        return run(PLATFORM, EIGEN_SIZES);
    }

    /** Every numerical check, the decompositions by {@code kernels}, eigen-decompositions at {@code eigenSizes}. */
    public static List<Line> run(Kernels kernels, int[] eigenSizes) {
        List<Line> lines = new ArrayList<>();
        lines.addAll(products());
        for (int d : eigenSizes) {
            lines.add(eigen(kernels, d));
        }
        lines.add(cholesky(kernels, CHOLESKY_SIZE));
        lines.add(frechetDistance(FID_SIZE));
        return lines;
    }

    // ---------------------------------------------------------------------------------------------- products

    /** sgemm and dgemm through ND4J ({@code Nd4j.gemm}, what models use) and through CBLAS (what Linalg uses). */
    static List<Line> products() {
        int m = 517;
        int k = 509;
        int n = 523;
        SplittableRandom rng = new SplittableRandom(SEED);
        double[] a = uniform(rng, m * k);
        double[] b = uniform(rng, k * n);
        List<Line> lines = new ArrayList<>();
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            boolean single = type == DataType.FLOAT;
            double[] ad = single ? roundToFloat(a) : a;
            double[] bd = single ? roundToFloat(b) : b;
            long t0 = System.nanoTime();
            double[] reference = javaProduct(ad, bd, m, k, n);
            double javaSeconds = (System.nanoTime() - t0) / 1e9;
            double[] bound = javaProduct(abs(ad), abs(bd), m, k, n);
            String blas = single ? "sgemm" : "dgemm";

            INDArray na = Nd4j.create(ad, new long[] {m, k}, 'c').castTo(type);
            INDArray nb = Nd4j.create(bd, new long[] {k, n}, 'c').castTo(type);
            INDArray nc = Nd4j.create(type, new long[] {m, n}, 'c');
            double nd4jSeconds = medianSeconds(() -> Nd4j.gemm(na, nb, nc, false, false, 1.0, 0.0));
            lines.add(verifyProduct(blas + " (ND4J)", nc.dup('c').data().asDouble(), reference, bound, k, single,
                    flops(m, k, n) / nd4jSeconds, flops(m, k, n) / javaSeconds));

            double[] c = new double[m * n];
            double seconds;
            if (single) {
                float[] fa = toFloat(ad);
                float[] fb = toFloat(bd);
                float[] fc = new float[m * n];
                seconds = medianSeconds(() -> openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans,
                        openblas.CblasNoTrans, m, n, k, 1f, fa, k, fb, n, 0f, fc, n));
                for (int i = 0; i < c.length; i++) {
                    c[i] = fc[i];
                }
            } else {
                seconds = medianSeconds(() -> openblas.cblas_dgemm(openblas.CblasRowMajor, openblas.CblasNoTrans,
                        openblas.CblasNoTrans, m, n, k, 1.0, ad, k, bd, n, 0.0, c, n));
            }
            lines.add(verifyProduct(blas + " (CBLAS)", c, reference, bound, k, single,
                    flops(m, k, n) / seconds, flops(m, k, n) / javaSeconds));
        }
        return lines;
    }

    /**
     * Whether {@code c} is the product whose plain-Java value is {@code reference}: every element within the
     * classical rounding bound {@code 2 k u (|A||B|)_ij} (u the unit roundoff of the type; {@code bound} is
     * |A||B|). Speeds are reported, not judged.
     */
    public static Line verifyProduct(String name, double[] c, double[] reference, double[] bound, int k, boolean single,
                                     double flopsPerSecond, double javaFlopsPerSecond) {
        double u = single ? 0x1p-24 : 0x1p-53;
        double worst = 0;
        for (int i = 0; i < c.length; i++) {
            double allowed = 2 * k * u * bound[i] + Double.MIN_NORMAL;
            double ratio = Math.abs(c[i] - reference[i]) / allowed;
            worst = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : Math.max(worst, ratio);
        }
        String speed = String.format(Locale.ROOT, "%.1f GFLOP/s, %.0fx plain Java", flopsPerSecond / 1e9,
                flopsPerSecond / javaFlopsPerSecond);
        String detail = String.format(Locale.ROOT, "error %.2g of the rounding bound; %s", worst, speed);
        return worst <= 1 ? Line.ok(name, detail) : new Line(name, false, detail, FIX_BLAS);
    }

    // ------------------------------------------------------------------------------------------ eigen

    /** {@code dsyevd} with vectors on a random symmetric d x d matrix (Wigner: a dense, unclustered spectrum). */
    public static Line eigen(Kernels kernels, int d) {
        double[] s = symmetric(new SplittableRandom(SEED + d), d);
        double[] vectors = s.clone();
        long t0 = System.nanoTime();
        double[] values = kernels.symmetricEigen(vectors, d, true);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return verifyEigen("dsyevd d=" + d, s, d, values, vectors, seconds);
    }

    /**
     * Whether {@code values} (ascending) and {@code vectors} (row-major, eigenvectors as columns) decompose the
     * symmetric {@code s}. Relative to ||S||_F, and all computed in plain Java: the residual ||S v - lambda v|| and
     * the orthogonality |v_i . v_j - delta_ij| of every column (128 evenly spaced ones when d > 512), and the invariants
     * sum(lambda) = tr S and sum(lambda^2) = ||S||_F^2.
     */
    public static Line verifyEigen(String name, double[] s, int d, double[] values, double[] vectors, double seconds) {
        double frob = 0;
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += s[i * d + i];
            for (int j = 0; j < d; j++) {
                frob += s[i * d + j] * s[i * d + j];
            }
        }
        double norm = Math.sqrt(frob);
        double sum = 0;
        double sumSq = 0;
        boolean ascending = true;
        for (int i = 0; i < d; i++) {
            sum += values[i];
            sumSq += values[i] * values[i];
            if (i > 0 && !(values[i - 1] <= values[i])) {
                ascending = false;
            }
        }
        double traceError = Math.abs(sum - trace) / (Math.sqrt(d) * norm);
        double frobError = Math.abs(sumSq - frob) / frob;

        int[] columns = sampleColumns(d);
        double residual = 0;
        double orthogonality = 0;
        double[] v = new double[d];
        double[] dots = new double[d];
        for (int j : columns) {
            for (int r = 0; r < d; r++) {
                v[r] = vectors[r * d + j];
            }
            double rr = 0;
            for (int r = 0; r < d; r++) {
                double acc = 0;
                int row = r * d;
                for (int c = 0; c < d; c++) {
                    acc += s[row + c] * v[c];
                }
                double e = acc - values[j] * v[r];
                rr += e * e;
            }
            residual = nanMax(residual, Math.sqrt(rr) / norm);
            Arrays.fill(dots, 0);
            for (int r = 0; r < d; r++) {
                double vr = v[r];
                int row = r * d;
                for (int i = 0; i < d; i++) {
                    dots[i] += vectors[row + i] * vr;
                }
            }
            for (int i = 0; i < d; i++) {
                orthogonality = nanMax(orthogonality, Math.abs(dots[i] - (i == j ? 1 : 0)));
            }
        }
        double worst = nanMax(nanMax(residual, orthogonality), nanMax(traceError, frobError));
        String detail = String.format(Locale.ROOT, "residual %.1e, orthogonality %.1e, trace %.1e, Frobenius %.1e"
                        + " (limit %.0e; %d of %d vectors checked)%s; %.2f s", residual, orthogonality, traceError,
                frobError, EIGEN_TOLERANCE, columns.length, d, ascending ? "" : ", eigenvalues NOT ascending", seconds);
        boolean ok = ascending && worst <= EIGEN_TOLERANCE;
        return ok ? Line.ok(name, detail) : new Line(name, false, detail, FIX_BLAS + " (FID and every"
                + " eigen-decomposition are wrong until then)");
    }

    private static int[] sampleColumns(int d) {
        if (d <= ALL_COLUMNS_UP_TO) {
            int[] all = new int[d];
            for (int i = 0; i < d; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] cols = new int[SAMPLED_COLUMNS];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = (int) Math.round(i * (d - 1.0) / (cols.length - 1));
        }
        return cols;
    }

    // ---------------------------------------------------------------------------------------------- Cholesky

    /**
     * {@code dpotrf} on a random diagonally dominant (so positive definite) matrix: L L^T must give it back, in plain
     * Java, to 1e-12 relative; and an indefinite matrix must be reported as not positive definite.
     */
    public static Line cholesky(Kernels kernels, int d) {
        double[] s = symmetric(new SplittableRandom(SEED ^ d), d);
        for (int i = 0; i < d; i++) {
            s[i * d + i] += d;
        }
        double[] l = s.clone();
        long t0 = System.nanoTime();
        boolean factored = kernels.cholesky(l, d);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double scale = 0;
        for (double x : s) {
            scale = Math.max(scale, Math.abs(x));
        }
        double worst = factored ? 0 : Double.POSITIVE_INFINITY;
        boolean lower = true;
        for (int i = 0; i < d && factored; i++) {
            if (!(l[i * d + i] > 0)) {
                lower = false;
            }
            for (int j = i + 1; j < d; j++) {
                if (l[i * d + j] != 0) {
                    lower = false;
                }
            }
            for (int j = 0; j <= i; j++) {
                double acc = 0;
                for (int p = 0; p <= j; p++) {
                    acc += l[i * d + p] * l[j * d + p];
                }
                worst = nanMax(worst, Math.abs(acc - s[i * d + j]) / scale);
            }
        }
        double[] indefinite = s.clone();
        indefinite[(d / 2) * d + d / 2] = -1;
        boolean refused = !kernels.cholesky(indefinite, d);
        String detail = String.format(Locale.ROOT, "d=%d: ||L L^T - S|| %.1e (limit 1e-12)%s%s; %.3f s", d, worst,
                lower ? "" : ", L NOT lower triangular with a positive diagonal",
                refused ? ", indefinite matrix refused" : ", an indefinite matrix was NOT refused", seconds);
        return factored && lower && refused && worst <= 1e-12 ? Line.ok("dpotrf (Cholesky)", detail)
                : new Line("dpotrf (Cholesky)", false, detail, FIX_BLAS);
    }

    // ---------------------------------------------------------------------------------------------- FID

    /**
     * The Fréchet distance, as the FID evaluator computes it, between N(mu1, Q A Q^T) and N(mu2, Q B Q^T) with a
     * random rotation Q and diagonal A, B: the covariances commute, so the distance is known in closed form,
     * ||mu1 - mu2||^2 + sum (sqrt a_i - sqrt b_i)^2. Relative error allowed 1e-8.
     */
    public static Line frechetDistance(int d) {
        SplittableRandom rng = new SplittableRandom(SEED + 7 * d);
        double[] q = orthogonal(rng, d);
        double[] a = new double[d];
        double[] b = new double[d];
        double[] mu1 = new double[d];
        double[] mu2 = new double[d];
        double known = 0;
        for (int i = 0; i < d; i++) {
            a[i] = 0.2 + 3 * rng.nextDouble();
            b[i] = 0.2 + 3 * rng.nextDouble();
            mu1[i] = rng.nextDouble() - 0.5;
            mu2[i] = rng.nextDouble() - 0.5;
            double dm = mu1[i] - mu2[i];
            double ds = Math.sqrt(a[i]) - Math.sqrt(b[i]);
            known += dm * dm + ds * ds;
        }
        long t0 = System.nanoTime();
        FrechetDistance.Result r = FrechetDistance.distance(
                new FrechetDistance.Statistics(Nd4j.createFromArray(mu1), rotate(q, a, d), 2 * d),
                new FrechetDistance.Statistics(Nd4j.createFromArray(mu2), rotate(q, b, d), 2 * d));
        double seconds = (System.nanoTime() - t0) / 1e9;
        double rel = Math.abs(r.value() - known) / known;
        String detail = String.format(Locale.ROOT, "d=%d: %.10g, closed form %.10g, relative error %.1e (limit 1e-8);"
                + " %.2f s", d, r.value(), known, rel, seconds);
        return rel <= 1e-8 ? Line.ok("FID (closed form)", detail)
                : new Line("FID (closed form)", false, detail, "FID rests on dsyevd and dgemm: fix the lines above;"
                + " if they pass, the Fréchet distance code itself is wrong (org.genbench.numerics.FrechetDistance)");
    }

    /** Q diag(w) Q^T as a d x d ND4J double array. */
    private static INDArray rotate(double[] q, double[] w, int d) {
        double[] out = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double acc = 0;
                for (int p = 0; p < d; p++) {
                    acc += q[i * d + p] * w[p] * q[j * d + p];
                }
                out[i * d + j] = acc;
                out[j * d + i] = acc;
            }
        }
        return Nd4j.create(out, new long[] {d, d}, 'c');
    }

    /** A random orthogonal matrix (row-major), by modified Gram-Schmidt on the rows of a Gaussian matrix. */
    static double[] orthogonal(SplittableRandom rng, int d) {
        double[] q = new double[d * d];
        for (int i = 0; i < q.length; i++) {
            q[i] = gaussian(rng);
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                double dot = 0;
                for (int p = 0; p < d; p++) {
                    dot += q[i * d + p] * q[j * d + p];
                }
                for (int p = 0; p < d; p++) {
                    q[i * d + p] -= dot * q[j * d + p];
                }
            }
            double norm = 0;
            for (int p = 0; p < d; p++) {
                norm += q[i * d + p] * q[i * d + p];
            }
            norm = Math.sqrt(norm);
            for (int p = 0; p < d; p++) {
                q[i * d + p] /= norm;
            }
        }
        return q;
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** A random symmetric row-major matrix with entries uniform in [-1, 1). */
    static double[] symmetric(SplittableRandom rng, int d) {
        double[] s = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double x = 2 * rng.nextDouble() - 1;
                s[i * d + j] = x;
                s[j * d + i] = x;
            }
        }
        return s;
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    private static double[] uniform(SplittableRandom rng, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 2 * rng.nextDouble() - 1;
        }
        return x;
    }

    private static double[] roundToFloat(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    private static double[] abs(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.abs(x[i]);
        }
        return out;
    }

    /** Row-major A (m x k) B (k x n) in plain Java, i-p-j order so the inner loop runs along rows. */
    static double[] javaProduct(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            int crow = i * n;
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                int brow = p * n;
                for (int j = 0; j < n; j++) {
                    c[crow + j] += aip * b[brow + j];
                }
            }
        }
        return c;
    }

    private static double flops(int m, int k, int n) {
        return 2.0 * m * k * n;
    }

    /** Median of five timed calls after one warm-up call. */
    private static double medianSeconds(Runnable r) {
        r.run();
        double[] t = new double[5];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return Math.max(t[t.length / 2], 1e-9);
    }

    /** max that lets NaN through: a NaN error must fail the check, not vanish in Math.max's comparisons. */
    private static double nanMax(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
    }
}
