package org.genbench.model.gaussian.internal;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.EmFittable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * N(mu, Sigma) with Sigma = L L^T kept as its Cholesky factor L, so that every query is a triangular solve:
 * with z = L^-1 (x - mu), log p(x) = -|z|^2 / 2 - sum log L_ii - d/2 log 2 pi and grad log p(x) = -L^-T z.
 * Until it is fitted the model is the standard normal. Plain loops over {@link Tensor#getDouble}: clear rather
 * than fast, which suits the low-dimensional data it is meant for.
 */
final class GaussianModel implements Model, LogDensity, Score, DirectSampling, EmFittable {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final DataInfo data;
    private final int d;
    private final double regCovar;
    private double[] mean;
    private double[][] covariance;
    private double[][] chol;
    private double logNormalizer;

    GaussianModel(DataInfo data, double regCovar) {
        this.data = data;
        this.d = Math.toIntExact(data.dimension());
        this.regCovar = regCovar;
        double[][] identity = new double[d][d];
        for (int i = 0; i < d; i++) {
            identity[i][i] = 1;
        }
        setParameters(new double[d], identity);
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return d + (long) d * (d + 1) / 2;
    }

    double[] mean() {
        return mean.clone();
    }

    double[][] covariance() {
        return Arrays.stream(covariance).map(double[]::clone).toArray(double[][]::new);
    }

    // ---- LogDensity, Score

    @Override
    public Tensor logDensity(Tensor x) {
        int n = checkRows(x);
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n);
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            out.setDouble(i, logDensityOfRow(x, i, z));
        }
        return out;
    }

    @Override
    public Tensor score(Tensor x) {
        return gradient(x, -1);
    }

    /** sign * Sigma^-1 (x - mu), shaped like x. */
    private Tensor gradient(Tensor x, double sign) {
        int n = checkRows(x);
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.shape());
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            whiten(x, i, z);
            // Back substitution: solve L^T g = z, so g = L^-T L^-1 (x - mu) = Sigma^-1 (x - mu).
            for (int r = d - 1; r >= 0; r--) {
                double s = z[r];
                for (int k = r + 1; k < d; k++) {
                    s -= chol[k][r] * z[k];
                }
                z[r] = s / chol[r][r];
            }
            for (int j = 0; j < d; j++) {
                out.setDouble((long) i * d + j, sign * z[j]);
            }
        }
        return out;
    }

    // ---- DirectSampling

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        long[] shape = new long[data.sampleShape().length + 1];
        shape[0] = n;
        System.arraycopy(data.sampleShape(), 0, shape, 1, shape.length - 1);
        // Float32 like the datasets, so samples and data are interchangeable downstream.
        Tensor out = Tensor.allocate(allocator, DType.FLOAT32, shape);
        double[] eps = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                eps[j] = rng.nextGaussian();
            }
            for (int r = 0; r < d; r++) {
                double v = mean[r];
                for (int k = 0; k <= r; k++) {
                    v += chol[r][k] * eps[k];
                }
                out.setDouble((long) i * d + r, v);
            }
        }
        return out;
    }

    // ---- EmFittable: with no latent variables the M step is the maximum likelihood fit itself.

    @Override
    public void initialize(Tensor x, Rng rng) {
        fit(x);
    }

    @Override
    public double emStep(Tensor x) {
        int n = checkRows(x);
        double[] z = new double[d];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += logDensityOfRow(x, i, z);
        }
        fit(x);
        return sum / n;
    }

    /** Mean and covariance; {@link #setParameters} makes the factorizations from them afresh. */
    private record Parameters(double[] mean, double[][] covariance) implements EmFittable.Snapshot {
    }

    @Override
    public EmFittable.Snapshot snapshot() {
        return new Parameters(mean.clone(), covariance());
    }

    @Override
    public void restore(EmFittable.Snapshot snapshot) {
        if (!(snapshot instanceof Parameters p)) {
            throw new IllegalArgumentException("not a snapshot of a gaussian model: " + snapshot);
        }
        setParameters(p.mean().clone(), Arrays.stream(p.covariance()).map(double[]::clone).toArray(double[][]::new));
    }

    private void fit(Tensor x) {
        int n = checkRows(x);
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit a Gaussian to 0 examples");
        }
        double[] mu = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mu[j] += x.get(i, j);
            }
        }
        for (int j = 0; j < d; j++) {
            mu[j] /= n;
        }
        // Second pass around the mean: summing raw squares loses the variance of data far from the origin.
        double[][] cov = new double[d][d];
        double[] diff = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                diff[j] = x.get(i, j) - mu[j];
            }
            for (int r = 0; r < d; r++) {
                for (int c = 0; c <= r; c++) {
                    cov[r][c] += diff[r] * diff[c];
                }
            }
        }
        for (int r = 0; r < d; r++) {
            for (int c = 0; c <= r; c++) {
                cov[r][c] /= n;
                cov[c][r] = cov[r][c];
            }
            cov[r][r] += regCovar;
        }
        setParameters(mu, cov);
    }

    private void setParameters(double[] mu, double[][] cov) {
        double[][] l = cholesky(cov);
        double logDet = 0;
        for (int j = 0; j < d; j++) {
            logDet += Math.log(l[j][j]);
        }
        mean = mu;
        covariance = cov;
        chol = l;
        logNormalizer = -logDet - 0.5 * d * LOG_2PI;
    }

    /** Lower-triangular L with L L^T = a (Cholesky-Banachiewicz). */
    private double[][] cholesky(double[][] a) {
        double[][] l = new double[d][d];
        for (int j = 0; j < d; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) {
                s -= l[j][k] * l[j][k];
            }
            if (!(s > 0)) {
                throw new IllegalStateException("the covariance is not positive definite (pivot " + j + " is " + s
                        + "); increase regCovar (now " + regCovar + ")");
            }
            l[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = a[i][j];
                for (int k = 0; k < j; k++) {
                    t -= l[i][k] * l[j][k];
                }
                l[i][j] = t / l[j][j];
            }
        }
        return l;
    }

    private double logDensityOfRow(Tensor x, int row, double[] z) {
        whiten(x, row, z);
        double sq = 0;
        for (double v : z) {
            sq += v * v;
        }
        return logNormalizer - 0.5 * sq;
    }

    /** z = L^-1 (x_row - mu) by forward substitution. */
    private void whiten(Tensor x, int row, double[] z) {
        for (int r = 0; r < d; r++) {
            double s = x.get(row, r) - mean[r];
            for (int k = 0; k < r; k++) {
                s -= chol[r][k] * z[k];
            }
            z[r] = s / chol[r][r];
        }
    }

    private int checkRows(Tensor x) {
        if (x.rowSize() != d) {
            throw new IllegalArgumentException("this Gaussian is " + d + "-dimensional; got a tensor shaped "
                    + Arrays.toString(x.shape()));
        }
        return Math.toIntExact(x.rows());
    }
}
