package org.genbench.model.gmm.internal;

/**
 * One set of mixture parameters with the factorizations every computation needs. Immutable: EM builds a new one
 * per M step, so readers on other threads always see a consistent set.
 *
 * <p>The precision Cholesky factor follows scikit-learn's {@code _compute_precision_cholesky}: with
 * Sigma = L L^T, P = (L^-1)^T, so Sigma^-1 = P P^T and log|P| = -log|L|.
 */
final class GmmParameters {
    private final int k;
    private final int d;
    private final double[] weights;
    private final double[][] means;
    private final double[][][] covariances;
    private final double[][][] covarianceCholesky;
    private final double[][][] precisionCholesky;
    private final double[] logDetPrecisionCholesky;

    /**
     * Validates and factorizes. Fails naming the component whose covariance is not positive definite, the usual
     * symptom of a collapsed component, which a larger {@code regCovar} prevents.
     */
    GmmParameters(double[] weights, double[][] means, double[][][] covariances) {
        this.k = weights.length;
        if (k < 1) {
            throw new IllegalArgumentException("a mixture needs at least one component");
        }
        if (means.length != k || covariances.length != k) {
            throw new IllegalArgumentException("inconsistent component counts: " + k + " weights, " + means.length
                    + " means, " + covariances.length + " covariances");
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
            if (covariances[j].length != d) {
                throw new IllegalArgumentException("covariance " + j + " has " + covariances[j].length + " rows, expected " + d);
            }
            for (int a = 0; a < d; a++) {
                if (covariances[j][a].length != d) {
                    throw new IllegalArgumentException("covariance " + j + " row " + a + " has "
                            + covariances[j][a].length + " entries, expected " + d);
                }
            }
        }
        if (Math.abs(sum - 1) > 1e-6) {
            throw new IllegalArgumentException("weights must sum to 1, sum to " + sum);
        }
        this.weights = weights.clone();
        this.means = deepCopy(means);
        this.covariances = new double[k][][];
        this.covarianceCholesky = new double[k][][];
        this.precisionCholesky = new double[k][][];
        this.logDetPrecisionCholesky = new double[k];
        for (int j = 0; j < k; j++) {
            this.covariances[j] = deepCopy(covariances[j]);
            checkSymmetric(j, this.covariances[j]);
            double[][] l = cholesky(j, this.covariances[j]);
            double[][] p = transpose(invertLower(l));
            covarianceCholesky[j] = l;
            precisionCholesky[j] = p;
            double logDet = 0;
            for (int a = 0; a < d; a++) {
                logDet += Math.log(p[a][a]);
            }
            logDetPrecisionCholesky[j] = logDet;
        }
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
        return deepCopy(means);
    }

    double[] mean(int j) {
        return means[j].clone();
    }

    double[][][] covariances() {
        double[][][] out = new double[k][][];
        for (int j = 0; j < k; j++) {
            out[j] = deepCopy(covariances[j]);
        }
        return out;
    }

    /** Lower L with Sigma_j = L L^T; shared, do not modify. */
    double[][] covarianceCholesky(int j) {
        return covarianceCholesky[j];
    }

    /** Upper P with Sigma_j^-1 = P P^T; shared, do not modify. */
    double[][] precisionCholesky(int j) {
        return precisionCholesky[j];
    }

    double logDetPrecisionCholesky(int j) {
        return logDetPrecisionCholesky[j];
    }

    private static void checkSymmetric(int j, double[][] c) {
        for (int a = 0; a < c.length; a++) {
            for (int b = 0; b < a; b++) {
                double tol = 1e-8 * Math.max(1, Math.max(Math.abs(c[a][b]), Math.abs(c[b][a])));
                if (!(Math.abs(c[a][b] - c[b][a]) <= tol)) {
                    throw new IllegalArgumentException("covariance " + j + " is not symmetric: [" + a + "][" + b + "]="
                            + c[a][b] + ", [" + b + "][" + a + "]=" + c[b][a]);
                }
            }
        }
    }

    /** Lower Cholesky factor, reading the lower triangle only (as LAPACK's potrf does). */
    static double[][] cholesky(int j, double[][] c) {
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
                        throw new IllegalArgumentException("covariance " + j + " is not positive definite (pivot " + a
                                + " is " + s + "); the component has collapsed onto too few points: increase regCovar"
                                + " or use fewer components");
                    }
                    l[a][a] = Math.sqrt(s);
                } else {
                    l[a][b] = s / l[b][b];
                }
            }
        }
        return l;
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
        double[][] c = new double[m.length][];
        for (int a = 0; a < m.length; a++) {
            c[a] = m[a].clone();
        }
        return c;
    }
}
