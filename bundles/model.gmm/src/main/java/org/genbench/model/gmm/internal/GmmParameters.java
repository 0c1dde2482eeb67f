package org.genbench.model.gmm.internal;

import org.genbench.api.EmFittable;

/**
 * One set of mixture parameters with the factorizations every computation needs, for any {@link CovarianceType}.
 * Immutable: EM builds a new one per M step, so readers on other threads always see a consistent set, and a set
 * is its own {@link EmFittable.Snapshot}.
 *
 * <p>The precision Cholesky factors follow scikit-learn's {@code _compute_precision_cholesky}: for a matrix block
 * Sigma = L L^T, P = (L^-1)^T, so Sigma^-1 = P P^T and log|P| = -log|L|; for a variance v, P = 1/sqrt(v). A set
 * built from precisions (scikit-learn's {@code precisions_init}) takes P = cholesky(Lambda) (lower) for a matrix,
 * sqrt(lambda) for a variance, exactly as scikit-learn's {@code _initialize} does.
 */
final class GmmParameters implements EmFittable.Snapshot {
    private final CovarianceType type;
    private final int k;
    private final int d;
    private final double[] weights;
    private final double[][] means;
    /** Covariance blocks (see {@link CovarianceType}). */
    private final double[][][] covariances;
    /** The precisions this set was built from, or null when it was built from covariances. */
    private final double[][][] precisions;
    /** Matrix types: lower L with Sigma = L L^T. Vector types: sqrt(v). For sampling. */
    private final double[][][] covarianceFactors;
    /** Matrix types: P with Sigma^-1 = P P^T. Vector types: 1/sqrt(v). */
    private final double[][][] precisionCholesky;
    private final double[] logDetPrecisionCholesky;

    /** Full covariances {@code [k][d][d]}. */
    GmmParameters(double[] weights, double[][] means, double[][][] covariances) {
        this(CovarianceType.FULL, weights, means, covariances, false);
    }

    /**
     * Validates and factorizes. Fails naming the component whose covariance is not positive definite, the usual
     * symptom of a collapsed component, which a larger {@code regCovar} prevents.
     */
    static GmmParameters fromCovariances(CovarianceType type, double[] weights, double[][] means, double[][][] blocks) {
        return new GmmParameters(type, weights, means, blocks, false);
    }

    /** From precision blocks (inverse covariances), as scikit-learn's {@code precisions_init}. */
    static GmmParameters fromPrecisions(CovarianceType type, double[] weights, double[][] means, double[][][] blocks) {
        return new GmmParameters(type, weights, means, blocks, true);
    }

    private GmmParameters(CovarianceType type, double[] weights, double[][] means, double[][][] blocks,
                          boolean givenAsPrecisions) {
        this.type = type;
        this.k = weights.length;
        if (k < 1) {
            throw new IllegalArgumentException("a mixture needs at least one component");
        }
        if (means.length != k) {
            throw new IllegalArgumentException("inconsistent component counts: " + k + " weights, " + means.length
                    + " means");
        }
        this.d = means[0].length;
        if (d < 1) {
            throw new IllegalArgumentException("means must have at least one dimension");
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            if (!(weights[j] >= 0) || weights[j] > 1) {
                throw new IllegalArgumentException("weight " + j + " must lie in [0, 1], was " + weights[j]);
            }
            sum += weights[j];
            if (means[j].length != d) {
                throw new IllegalArgumentException("mean " + j + " has " + means[j].length + " entries, expected " + d);
            }
            for (double m : means[j]) {
                if (!Double.isFinite(m)) {
                    throw new IllegalArgumentException("mean " + j + " has a non-finite entry " + m);
                }
            }
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("weights must sum to 1, sum to " + sum);
        }
        String what = givenAsPrecisions ? "precision" : "covariance";
        int nb = type.blocks(k);
        if (blocks.length != nb) {
            throw new IllegalArgumentException(type.label + " " + what + "s must be shaped " + type.shape(k, "" + d)
                    + ", got " + blocks.length + " blocks");
        }
        int rows = type.isMatrix() ? d : 1;
        int cols = type == CovarianceType.SPHERICAL ? 1 : d;
        for (int b = 0; b < nb; b++) {
            if (blocks[b].length != rows) {
                throw new IllegalArgumentException(what + " " + name(b) + " has " + blocks[b].length
                        + " rows, expected " + rows + " (" + type.label + " " + what + "s are shaped "
                        + type.shape(k, "" + d) + ")");
            }
            for (int a = 0; a < rows; a++) {
                if (blocks[b][a].length != cols) {
                    throw new IllegalArgumentException(what + " " + name(b) + " row " + a + " has "
                            + blocks[b][a].length + " entries, expected " + cols);
                }
            }
        }
        this.weights = weights.clone();
        this.means = CovarianceType.copy(means);
        this.precisions = givenAsPrecisions ? CovarianceType.copy(blocks) : null;
        this.covariances = new double[nb][][];
        this.covarianceFactors = new double[nb][][];
        this.precisionCholesky = new double[nb][][];
        double[] blockLogDet = new double[nb];
        for (int b = 0; b < nb; b++) {
            double[][] given = CovarianceType.copy(blocks[b]);
            if (type.isMatrix()) {
                checkSymmetric(b, given, what);
                double[][] p;
                double[][] cov;
                if (givenAsPrecisions) {
                    p = cholesky(b, given, what);
                    double[][] inv = invertLower(p);          // P^-1; Sigma = P^-T P^-1
                    cov = multiplyTransposedLeft(inv);
                } else {
                    cov = given;
                    p = transpose(invertLower(cholesky(b, cov, what)));
                }
                covariances[b] = cov;
                precisionCholesky[b] = p;
                covarianceFactors[b] = givenAsPrecisions ? cholesky(b, symmetrize(cov), "covariance") : cholesky(b, cov, what);
                double logDet = 0;
                for (int a = 0; a < d; a++) {
                    logDet += Math.log(p[a][a]);
                }
                blockLogDet[b] = logDet;
            } else {
                double[] v = given[0];
                double[] pc = new double[v.length];
                double[] cov = new double[v.length];
                double[] sd = new double[v.length];
                double logDet = 0;
                for (int a = 0; a < v.length; a++) {
                    if (!(v[a] > 0) || Double.isInfinite(v[a])) {
                        throw new IllegalArgumentException(what + " " + name(b) + " has a non-positive or infinite "
                                + "entry " + v[a] + (givenAsPrecisions ? "" : "; the component has collapsed onto too"
                                + " few points: increase regCovar or use fewer components"));
                    }
                    pc[a] = givenAsPrecisions ? Math.sqrt(v[a]) : 1.0 / Math.sqrt(v[a]);
                    cov[a] = givenAsPrecisions ? 1.0 / v[a] : v[a];
                    sd[a] = Math.sqrt(cov[a]);
                    logDet += Math.log(pc[a]);
                }
                covariances[b] = new double[][] {cov};
                precisionCholesky[b] = new double[][] {pc};
                covarianceFactors[b] = new double[][] {sd};
                // scikit-learn: diag sums log P over features; spherical is d log P.
                blockLogDet[b] = type == CovarianceType.SPHERICAL ? d * Math.log(pc[0]) : logDet;
            }
        }
        this.logDetPrecisionCholesky = new double[k];
        for (int j = 0; j < k; j++) {
            logDetPrecisionCholesky[j] = blockLogDet[type.block(j)];
        }
    }

    private String name(int b) {
        return type == CovarianceType.TIED ? "(tied)" : String.valueOf(b);
    }

    CovarianceType type() {
        return type;
    }

    int components() {
        return k;
    }

    int dimension() {
        return d;
    }

    double[] weights() {
        return weights.clone();
    }

    double weight(int j) {
        return weights[j];
    }

    double[][] means() {
        return CovarianceType.copy(means);
    }

    double[] mean(int j) {
        return means[j].clone();
    }

    /** The covariance blocks in {@link CovarianceType}'s layout (a copy). */
    double[][][] covarianceBlocks() {
        return CovarianceType.copy(covariances);
    }

    /** The precisions this set was built from (a copy), or null when it was built from covariances. */
    double[][][] precisionBlocks() {
        return precisions == null ? null : CovarianceType.copy(precisions);
    }

    /** Every component's covariance as a d x d matrix, whatever the structure (for tests and comparisons). */
    double[][][] covariances() {
        double[][][] out = new double[k][d][d];
        for (int j = 0; j < k; j++) {
            double[][] c = covariances[type.block(j)];
            for (int a = 0; a < d; a++) {
                if (type.isMatrix()) {
                    out[j][a] = c[a].clone();
                } else {
                    out[j][a][a] = type == CovarianceType.SPHERICAL ? c[0][0] : c[0][a];
                }
            }
        }
        return out;
    }

    /** Matrix types: P_j with Sigma_j^-1 = P_j P_j^T; shared, do not modify. */
    double[][] precisionCholesky(int j) {
        if (!type.isMatrix()) {
            throw new IllegalStateException("a " + type.label + " mixture has no precision matrices");
        }
        return precisionCholesky[type.block(j)];
    }

    /** Vector types: the d entries 1/sqrt(v_ja) (spherical repeats its one value). */
    double[] precisionCholeskyDiagonal(int j) {
        return expand(precisionCholesky, j);
    }

    /** Matrix types: lower L_j with Sigma_j = L_j L_j^T; shared, do not modify. */
    double[][] covarianceCholesky(int j) {
        if (!type.isMatrix()) {
            throw new IllegalStateException("a " + type.label + " mixture has no covariance matrices");
        }
        return covarianceFactors[type.block(j)];
    }

    /** Vector types: the d standard deviations of component j. */
    double[] standardDeviations(int j) {
        return expand(covarianceFactors, j);
    }

    double logDetPrecisionCholesky(int j) {
        return logDetPrecisionCholesky[j];
    }

    private double[] expand(double[][][] blocks, int j) {
        if (type.isMatrix()) {
            throw new IllegalStateException("a " + type.label + " mixture has matrices, not variances");
        }
        double[] v = blocks[j][0];
        if (type == CovarianceType.DIAG) {
            return v.clone();
        }
        double[] out = new double[d];
        java.util.Arrays.fill(out, v[0]);
        return out;
    }

    private static void checkSymmetric(int b, double[][] c, String what) {
        for (int a = 0; a < c.length; a++) {
            for (int e = 0; e < a; e++) {
                double tol = 1e-8 * Math.max(1, Math.max(Math.abs(c[a][e]), Math.abs(c[e][a])));
                if (!(Math.abs(c[a][e] - c[e][a]) <= tol)) {
                    throw new IllegalArgumentException(what + " " + b + " is not symmetric: [" + a + "][" + e + "]="
                            + c[a][e] + ", [" + e + "][" + a + "]=" + c[e][a]);
                }
            }
        }
    }

    /** Lower Cholesky factor, reading the lower triangle only (as LAPACK's potrf does). */
    static double[][] cholesky(int j, double[][] c, String what) {
        int n = c.length;
        double[][] l = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b <= a; b++) {
                double s = c[a][b];
                for (int m = 0; m < b; m++) {
                    s -= l[a][m] * l[b][m];
                }
                if (a == b) {
                    if (!(s > 0) || Double.isInfinite(s)) {
                        throw new IllegalArgumentException(what + " " + j + " is not positive definite (pivot " + a
                                + " is " + s + ")" + (what.equals("covariance") ? "; the component has collapsed onto"
                                + " too few points: increase regCovar or use fewer components" : ""));
                    }
                    l[a][a] = Math.sqrt(s);
                } else {
                    l[a][b] = s / l[b][b];
                }
            }
        }
        return l;
    }

    static double[][] cholesky(int j, double[][] c) {
        return cholesky(j, c, "covariance");
    }

    /** Inverse of a lower-triangular matrix by forward substitution, column by column. */
    static double[][] invertLower(double[][] l) {
        int n = l.length;
        double[][] inv = new double[n][n];
        for (int col = 0; col < n; col++) {
            inv[col][col] = 1 / l[col][col];
            for (int a = col + 1; a < n; a++) {
                double s = 0;
                for (int m = col; m < a; m++) {
                    s += l[a][m] * inv[m][col];
                }
                inv[a][col] = -s / l[a][a];
            }
        }
        return inv;
    }

    /** M^T M. */
    private static double[][] multiplyTransposedLeft(double[][] m) {
        int n = m.length;
        double[][] out = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int r = 0; r < n; r++) {
                    s += m[r][a] * m[r][b];
                }
                out[a][b] = s;
            }
        }
        return out;
    }

    private static double[][] symmetrize(double[][] c) {
        int n = c.length;
        double[][] out = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                out[a][b] = 0.5 * (c[a][b] + c[b][a]);
            }
        }
        return out;
    }

    static double[][] transpose(double[][] m) {
        int rows = m.length;
        int cols = m[0].length;
        double[][] t = new double[cols][rows];
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                t[b][a] = m[a][b];
            }
        }
        return t;
    }

    static double[][] deepCopy(double[][] m) {
        return CovarianceType.copy(m);
    }
}
