package org.genbench.sampler.mcmc.internal;

import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * An analytic 2-D mixture of three overlapping correlated Gaussians, written out by hand so that the samplers
 * are checked against exact moments, with no model bundle involved. Energy is -log p (normalized), so all three
 * capabilities describe the same density. Counts its calls and the largest batch it saw.
 */
class GaussianMixture2d implements Model, LogDensity, Energy, Score {
    static final DataInfo DATA = new DataInfo("mixture2d", new long[] {2}, DataInfo.CONTINUOUS, 0, null);

    static final double[] WEIGHTS = {0.5, 0.3, 0.2};
    static final double[][] MEANS = {{-1.0, 0.0}, {1.2, 0.6}, {0.2, -1.2}};
    /** Covariances as {a, b, c} for [[a, b], [b, c]]. */
    static final double[][] COVARIANCES = {{0.6, 0.2, 0.5}, {0.5, -0.15, 0.4}, {0.4, 0.0, 0.3}};

    int calls;
    long maxRows;

    /** Sum_k w_k mu_k. */
    static double[] mean() {
        double[] m = new double[2];
        for (int k = 0; k < 3; k++) {
            m[0] += WEIGHTS[k] * MEANS[k][0];
            m[1] += WEIGHTS[k] * MEANS[k][1];
        }
        return m;
    }

    /** Sum_k w_k (Sigma_k + mu_k mu_k^T) - mu mu^T, as a 2x2 array. */
    static double[][] covariance() {
        double[] m = mean();
        double[][] s = new double[2][2];
        for (int k = 0; k < 3; k++) {
            double[] mu = MEANS[k];
            double[] c = COVARIANCES[k];
            s[0][0] += WEIGHTS[k] * (c[0] + mu[0] * mu[0]);
            s[0][1] += WEIGHTS[k] * (c[1] + mu[0] * mu[1]);
            s[1][1] += WEIGHTS[k] * (c[2] + mu[1] * mu[1]);
        }
        s[0][0] -= m[0] * m[0];
        s[0][1] -= m[0] * m[1];
        s[1][1] -= m[1] * m[1];
        s[1][0] = s[0][1];
        return s;
    }

    /** log of component k's weighted density at (x, y), and Sigma_k^-1 (x - mu_k) into {@code precisionTimesResidual}. */
    private static double weightedLogComponent(int k, double x, double y, double[] precisionTimesResidual) {
        double[] c = COVARIANCES[k];
        double det = c[0] * c[2] - c[1] * c[1];
        double dx = x - MEANS[k][0];
        double dy = y - MEANS[k][1];
        double px = (c[2] * dx - c[1] * dy) / det;
        double py = (-c[1] * dx + c[0] * dy) / det;
        precisionTimesResidual[0] = px;
        precisionTimesResidual[1] = py;
        return Math.log(WEIGHTS[k]) - Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * (dx * px + dy * py);
    }

    /** log p at (x, y); writes grad log p into {@code grad}. */
    static double logDensityAndScore(double x, double y, double[] grad) {
        double[] logs = new double[3];
        double[][] pr = new double[3][2];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < 3; k++) {
            logs[k] = weightedLogComponent(k, x, y, pr[k]);
            max = Math.max(max, logs[k]);
        }
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            sum += Math.exp(logs[k] - max);
        }
        double logP = max + Math.log(sum);
        grad[0] = 0;
        grad[1] = 0;
        for (int k = 0; k < 3; k++) {
            double responsibility = Math.exp(logs[k] - logP);
            grad[0] -= responsibility * pr[k][0];
            grad[1] -= responsibility * pr[k][1];
        }
        return logP;
    }

    private Tensor perRow(Tensor x, boolean gradient, double sign) {
        calls++;
        maxRows = Math.max(maxRows, x.rows());
        int n = (int) x.rows();
        Tensor out = gradient ? Tensor.allocate(x.allocator(), DType.FLOAT64, n, 2)
                : Tensor.allocate(x.allocator(), DType.FLOAT64, n);
        double[] grad = new double[2];
        for (int i = 0; i < n; i++) {
            double logP = logDensityAndScore(x.getDouble(2L * i), x.getDouble(2L * i + 1), grad);
            if (gradient) {
                out.setDouble(2L * i, sign * grad[0]);
                out.setDouble(2L * i + 1, sign * grad[1]);
            } else {
                out.setDouble(i, sign * logP);
            }
        }
        return out;
    }

    @Override
    public Tensor logDensity(Tensor x) {
        return perRow(x, false, 1);
    }

    @Override
    public Tensor energy(Tensor x) {
        return perRow(x, false, -1);
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        return perRow(x, true, -1);
    }

    @Override
    public Tensor score(Tensor x) {
        return perRow(x, true, 1);
    }

    @Override
    public DataInfo data() {
        return DATA;
    }

    @Override
    public long parameterCount() {
        return 3 * (1 + 2 + 3);
    }
}
