package org.genbench.testing;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * A small restricted Boltzmann machine with known parameters, written element by element from the definitions, as a
 * target with exact answers for samplers and estimators: E(v, h) = U(v) - h.(c + W v / sigma) with
 * U(v) = -b.v (Bernoulli visible units) or |v - b|^2 / (2 sigma^2) (Gaussian). It is {@link Energy} (the free energy)
 * and {@link BlockGibbs}.
 *
 * <p>Exact answers: log Z (summing over the smaller of the two layers' states); for Gaussian visible units the
 * marginal of v is a mixture of 2^H Gaussians N(b + sigma W h, sigma^2 I) with weights proportional to
 * exp(c.h + |b + sigma W h|^2 / (2 sigma^2) - |b|^2 / (2 sigma^2)), whose mean and covariance {@link #exactMean} and
 * {@link #exactCovariance} give; for Bernoulli units, the probability of every visible state.
 */
public final class TestRbm implements Model, Energy, BlockGibbs {
    public final int d;
    public final int h;
    public final boolean gaussian;
    public final double sigma;
    /** w[j][i]: hidden j, visible i. */
    public final double[][] w;
    public final double[] b;
    public final double[] c;
    private final DataInfo info;

    public TestRbm(int d, int h, boolean gaussian, double sigma, double scale, long seed) {
        this.d = d;
        this.h = h;
        this.gaussian = gaussian;
        this.sigma = gaussian ? sigma : 1;
        Rng rng = new Rng(seed);
        w = new double[h][d];
        b = new double[d];
        c = new double[h];
        for (int j = 0; j < h; j++) {
            c[j] = 0.5 * rng.nextGaussian();
            for (int i = 0; i < d; i++) {
                w[j][i] = scale * rng.nextGaussian();
            }
        }
        for (int i = 0; i < d; i++) {
            b[i] = 0.5 * rng.nextGaussian();
        }
        info = new DataInfo("test/rbm", new long[] {d}, gaussian ? DataInfo.CONTINUOUS : DataInfo.BINARY, 0, null);
    }

    public static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    public static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    public double field(int j, double[] v, int offset) {
        double a = c[j];
        for (int i = 0; i < d; i++) {
            a += w[j][i] * v[offset + i] / sigma;
        }
        return a;
    }

    public double visibleEnergy(double[] v, int offset) {
        double u = 0;
        for (int i = 0; i < d; i++) {
            double x = v[offset + i];
            u += gaussian ? (x - b[i]) * (x - b[i]) / (2 * sigma * sigma) : -b[i] * x;
        }
        return u;
    }

    public double freeEnergy(double[] v, int offset) {
        double f = visibleEnergy(v, offset);
        for (int j = 0; j < h; j++) {
            f -= softplus(field(j, v, offset));
        }
        return f;
    }

    /** The mean of v given h: b + sigma W^T h (Gaussian), or the log-odds b + W^T h (Bernoulli). */
    public double visibleFieldOf(double[] hs, int offset, int i) {
        double g = 0;
        for (int j = 0; j < h; j++) {
            g += w[j][i] * hs[offset + j];
        }
        return b[i] + sigma * g;
    }

    private double[] hiddenWeights() {
        double[] logw = new double[1 << h];
        for (int s = 0; s < logw.length; s++) {
            double t = 0;
            double mm = 0;
            double bb = 0;
            double[] hs = bits(s, h);
            for (int j = 0; j < h; j++) {
                t += c[j] * hs[j];
            }
            for (int i = 0; i < d; i++) {
                double m = visibleFieldOf(hs, 0, i);
                mm += m * m;
                bb += b[i] * b[i];
            }
            logw[s] = t + (mm - bb) / (2 * sigma * sigma);
        }
        return logw;
    }

    /** log Z = log of the sum (Bernoulli) or integral (Gaussian) of exp(-F(v)). */
    public double exactLogZ() {
        if (gaussian) {
            return logSumExp(hiddenWeights()) + 0.5 * d * Math.log(2 * Math.PI * sigma * sigma);
        }
        if (d <= h) {
            double[] t = new double[1 << d];
            for (int s = 0; s < t.length; s++) {
                t[s] = -freeEnergy(bits(s, d), 0);
            }
            return logSumExp(t);
        }
        // sum over h of exp(c.h) prod_i (1 + exp(b_i + (W^T h)_i))
        double[] t = new double[1 << h];
        for (int s = 0; s < t.length; s++) {
            double[] hs = bits(s, h);
            double x = 0;
            for (int j = 0; j < h; j++) {
                x += c[j] * hs[j];
            }
            for (int i = 0; i < d; i++) {
                x += softplus(visibleFieldOf(hs, 0, i));
            }
            t[s] = x;
        }
        return logSumExp(t);
    }

    /** Gaussian units: E[v] under the model. */
    public double[] exactMean() {
        double[] logw = hiddenWeights();
        double norm = logSumExp(logw);
        double[] mean = new double[d];
        for (int s = 0; s < logw.length; s++) {
            double p = Math.exp(logw[s] - norm);
            double[] hs = bits(s, h);
            for (int i = 0; i < d; i++) {
                mean[i] += p * visibleFieldOf(hs, 0, i);
            }
        }
        return mean;
    }

    /** Gaussian units: Cov[v] under the model, row-major d x d. */
    public double[] exactCovariance() {
        double[] logw = hiddenWeights();
        double norm = logSumExp(logw);
        double[] mean = exactMean();
        double[] cov = new double[d * d];
        for (int s = 0; s < logw.length; s++) {
            double p = Math.exp(logw[s] - norm);
            double[] hs = bits(s, h);
            double[] m = new double[d];
            for (int i = 0; i < d; i++) {
                m[i] = visibleFieldOf(hs, 0, i) - mean[i];
            }
            for (int i = 0; i < d; i++) {
                for (int k = 0; k < d; k++) {
                    cov[i * d + k] += p * m[i] * m[k];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            cov[i * d + i] += sigma * sigma;
        }
        return cov;
    }

    /** Bernoulli units: p(v) for every visible state s (bit i of s is v_i). */
    public double[] exactProbabilities() {
        double logZ = exactLogZ();
        double[] p = new double[1 << d];
        for (int s = 0; s < p.length; s++) {
            p[s] = Math.exp(-freeEnergy(bits(s, d), 0) - logZ);
        }
        return p;
    }

    /** Exact independent draws of v (Gaussian units): a mixture component by its weight, then the Gaussian. */
    public double[] exactSamples(int n, Rng rng) {
        double[] logw = hiddenWeights();
        double norm = logSumExp(logw);
        double[] out = new double[n * d];
        for (int r = 0; r < n; r++) {
            double u = rng.nextDouble();
            int s = 0;
            double acc = Math.exp(logw[0] - norm);
            while (u > acc && s < logw.length - 1) {
                s++;
                acc += Math.exp(logw[s] - norm);
            }
            double[] hs = bits(s, h);
            for (int i = 0; i < d; i++) {
                out[r * d + i] = visibleFieldOf(hs, 0, i) + sigma * rng.nextGaussian();
            }
        }
        return out;
    }

    public static double[] bits(int s, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (s >> i) & 1;
        }
        return x;
    }

    public static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    // ---- the capabilities

    @Override
    public DataInfo data() {
        return info;
    }

    @Override
    public long parameterCount() {
        return (long) h * d + h + d;
    }

    @Override
    public Tensor energy(Tensor x) {
        double[] v = x.toDoubleArray();
        int n = (int) x.rows();
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            out[r] = freeEnergy(v, r * d);
        }
        return Tensor.ofDoubles(x.allocator(), out, n);
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        double[] v = x.toDoubleArray();
        int n = (int) x.rows();
        double[] out = new double[n * d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                double g = gaussian ? (v[r * d + i] - b[i]) / (sigma * sigma) : -b[i];
                for (int j = 0; j < h; j++) {
                    g -= sigmoid(field(j, v, r * d)) * w[j][i] / sigma;
                }
                out[r * d + i] = g;
            }
        }
        return Tensor.ofDoubles(x.allocator(), out, x.shape());
    }

    @Override
    public Units visibleUnits() {
        return gaussian ? Units.GAUSSIAN : Units.BERNOULLI;
    }

    @Override
    public int hiddenUnits() {
        return h;
    }

    @Override
    public Tensor hiddenField(Tensor visible) {
        double[] v = visible.toDoubleArray();
        int n = (int) visible.rows();
        double[] out = new double[n * h];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < h; j++) {
                out[r * h + j] = field(j, v, r * d);
            }
        }
        return Tensor.ofDoubles(visible.allocator(), out, n, h);
    }

    @Override
    public Tensor visibleEnergy(Tensor visible) {
        double[] v = visible.toDoubleArray();
        int n = (int) visible.rows();
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            out[r] = visibleEnergy(v, r * d);
        }
        return Tensor.ofDoubles(visible.allocator(), out, n);
    }

    @Override
    public Tensor visibleField(Tensor hidden) {
        double[] hs = hidden.toDoubleArray();
        int n = (int) hidden.rows();
        double[] out = new double[n * d];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                out[r * d + i] = visibleFieldOf(hs, r * h, i);
            }
        }
        return Tensor.ofDoubles(hidden.allocator(), out, n, d);
    }

    @Override
    public Tensor visibleVariance(BufferAllocator allocator) {
        if (!gaussian) {
            return BlockGibbs.super.visibleVariance(allocator);
        }
        double[] v = new double[d];
        java.util.Arrays.fill(v, sigma * sigma);
        return Tensor.ofDoubles(allocator, v, d);
    }

    @Override
    public Tensor sampleHidden(Tensor visible, Rng rng) {
        double[] a;
        try (Tensor f = hiddenField(visible)) {
            a = f.toDoubleArray();
        }
        for (int k = 0; k < a.length; k++) {
            a[k] = rng.nextDouble() < sigmoid(a[k]) ? 1 : 0;
        }
        return Tensor.of(visible.allocator(), DType.FLOAT32, a, visible.rows(), h);
    }

    @Override
    public Tensor sampleVisible(Tensor hidden, Rng rng) {
        double[] g;
        try (Tensor f = visibleField(hidden)) {
            g = f.toDoubleArray();
        }
        for (int k = 0; k < g.length; k++) {
            g[k] = gaussian ? g[k] + sigma * rng.nextGaussian() : (rng.nextDouble() < sigmoid(g[k]) ? 1 : 0);
        }
        return Tensor.of(hidden.allocator(), DType.FLOAT32, g, hidden.rows(), d);
    }
}
