package org.genbench.stats;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleUnaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Energy;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * log Z of an energy model, Z = integral (or sum) of exp(-E(x)), by annealed importance sampling (Neal 2001).
 *
 * <p>Chains start from a normalized base p0 fitted to the data's marginals and move through
 * f_t(x) = p0(x)^(1 - b_t) exp(-E(x))^(b_t) for 0 = b_0 &lt; ... &lt; b_K = 1; each collects the log weight
 * sum_t (b_t - b_(t-1)) (-E(x_(t-1)) - log p0(x_(t-1))) and then takes one Markov step that leaves f_t invariant.
 * The mean of the chains' weights is an unbiased estimate of Z, so log of it is a stochastic lower bound on log Z
 * (Jensen), and a log-likelihood computed from it an upper bound in expectation; its standard error comes from the
 * spread of the weights (delta method) and says nothing about a bias from too few intermediate distributions.
 *
 * <p>Kernels: for binary data the base is a factorized Bernoulli and the step a Metropolis flip of one random site
 * per chain, so with fewer distributions than sites most sites never move and the standard error understates the
 * error (a bipartite model has {@link BlockGibbsAis}, whose every step is a complete sweep); otherwise the base is a
 * diagonal Gaussian and the step MALA preconditioned by the base's variances, whose step size is tuned between
 * temperatures from the previous temperature's acceptance (Energy supplies the gradient).
 */
public final class EnergyAis {
    static final double INITIAL_STEP = 0.1;
    static final double TARGET_ACCEPTANCE = 0.57;

    private final Energy energy;
    private final long[] sampleShape;
    private final int dim;
    private final DType dtype;
    private final BufferAllocator allocator;

    /**
     * @param sampleShape the shape of one state
     * @param dtype the element type of the states handed to the energy (the data's)
     */
    public EnergyAis(Energy energy, long[] sampleShape, DType dtype, BufferAllocator allocator) {
        this.energy = energy;
        this.sampleShape = sampleShape.clone();
        long d = 1;
        for (long s : sampleShape) {
            d *= s;
        }
        this.dim = Math.toIntExact(d);
        this.dtype = dtype;
        this.allocator = allocator;
    }

    /**
     * @param data rows the base is fitted to (per-dimension mean and spread, or frequency of ones)
     * @param toModelSpace maps a data value to where the energy is defined (dequantization), before fitting
     * @param binary whether x takes values in {0, 1}
     */
    public AisResult logPartition(Tensor data, DoubleUnaryOperator toModelSpace, boolean binary, AisSettings s, Rng rng,
            BooleanSupplier cancelled) {
        int k = s.chains();
        double[] w = new double[k];
        double[] x = new double[k * dim];
        Base base = binary ? Base.bernoulli(data, dim) : Base.gaussian(data, dim, toModelSpace);
        for (int c = 0; c < k; c++) {
            base.sample(x, c * dim, rng);
        }
        double[] e = energies(x, k);
        double[][] grad = binary ? null : new double[][] {gradients(x, k)};
        double step = INITIAL_STEP;
        long accepted = 0;
        long proposed = 0;
        double previous = 0;
        for (int t = 1; t <= s.distributions(); t++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("AIS cancelled at intermediate distribution " + t + " of "
                        + s.distributions());
            }
            double b = s.beta(t);
            for (int c = 0; c < k; c++) {
                w[c] += (b - previous) * (-e[c] - base.logDensity(x, c * dim));
            }
            previous = b;
            int acc = binary ? flipStep(x, e, base, b, rng) : malaStep(x, e, grad, base, b, step, rng);
            accepted += acc;
            proposed += k;
            if (!binary) {
                // Tuned from the population's acceptance at the previous temperature only, never the current move.
                double rate = (double) acc / k;
                step = Math.min(10, Math.max(1e-4, step * Math.exp(rate - TARGET_ACCEPTANCE)));
            }
        }
        double[] summary = AisResult.summarize(w);
        String baseName = binary ? "factorized Bernoulli, data frequencies (add-one smoothed)"
                : "diagonal Gaussian, data mean and standard deviation";
        String kernel = binary ? "Metropolis, flip one uniformly chosen site per chain per distribution"
                : "MALA preconditioned by the base variances, one step per distribution, step size tuned between"
                        + " distributions toward acceptance " + TARGET_ACCEPTANCE;
        return new AisResult(summary[0], summary[1], summary[2], (double) accepted / proposed, baseName, kernel, s, w);
    }

    /**
     * log Z of exp(-E) as a density on the unit cube [0, 1)^d only (E = +infinity outside: the support of a density
     * on dequantized data, {@code x' = (level + u) / levels}). The base is a product of per-value histograms with
     * {@code levels} equal bins on [0, 1), bin probabilities the data's frequencies (add-one smoothed), normalized
     * on the cube; the step is a random walk reflected at the cube's faces (the reflected Gaussian proposal is
     * symmetric, so Metropolis with ratio f_t(y) / f_t(x) leaves every f_t exactly invariant and no state ever
     * leaves the cube), scaled per value by the base's standard deviation and tuned between distributions toward
     * acceptance {@value #TARGET_ACCEPTANCE_RW}.
     *
     * @param data rows in [0, 1)^d (the data dequantized) the base is fitted to
     * @param levels bins per value, 2..65536 (the data's levels)
     */
    public AisResult logPartitionOnCube(Tensor data, int levels, AisSettings s, Rng rng, BooleanSupplier cancelled) {
        if (levels < 2 || levels > 65536) {
            throw new IllegalArgumentException("levels must be in 2..65536, was " + levels);
        }
        int k = s.chains();
        double[] w = new double[k];
        double[] x = new double[k * dim];
        CubeBase base = CubeBase.fit(data, dim, levels);
        for (int c = 0; c < k; c++) {
            base.sample(x, c * dim, rng);
        }
        double[] e = energies(x, k);
        double step = INITIAL_STEP;
        long accepted = 0;
        long proposed = 0;
        double previous = 0;
        double[] proposal = new double[x.length];
        for (int t = 1; t <= s.distributions(); t++) {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("AIS cancelled at intermediate distribution " + t + " of "
                        + s.distributions());
            }
            double b = s.beta(t);
            for (int c = 0; c < k; c++) {
                w[c] += (b - previous) * (-e[c] - base.logDensity(x, c * dim));
            }
            previous = b;
            for (int i = 0; i < x.length; i++) {
                proposal[i] = reflect(x[i] + step * base.sd[i % dim] * rng.nextGaussian());
            }
            double[] ep = energies(proposal, k);
            int acc = 0;
            for (int c = 0; c < k; c++) {
                int o = c * dim;
                double logRatio = (1 - b) * (base.logDensity(proposal, o) - base.logDensity(x, o)) - b * (ep[c] - e[c]);
                if (!Double.isNaN(logRatio) && Math.log(rng.nextDouble()) < logRatio) {
                    System.arraycopy(proposal, o, x, o, dim);
                    e[c] = ep[c];
                    acc++;
                }
            }
            accepted += acc;
            proposed += k;
            double rate = (double) acc / k;
            step = Math.min(10, Math.max(1e-4, step * Math.exp(rate - TARGET_ACCEPTANCE_RW)));
        }
        double[] summary = AisResult.summarize(w);
        return new AisResult(summary[0], summary[1], summary[2], (double) accepted / proposed,
                "on [0, 1)^d: factorized histogram, " + levels + " bins per value, data frequencies (add-one smoothed)",
                "random-walk Metropolis reflected at the faces of [0, 1)^d, scaled by the base's standard deviations,"
                        + " one step per distribution, step size tuned between distributions toward acceptance "
                        + TARGET_ACCEPTANCE_RW, s, w);
    }

    static final double TARGET_ACCEPTANCE_RW = 0.234;

    /** v folded into [0, 1) by reflection at 0 and 1 (1 itself, of probability zero, maps just below 1). */
    public static double reflect(double v) {
        double r = v - 2 * Math.floor(v / 2);
        if (r > 1) {
            r = 2 - r;
        }
        return r < 1 ? r : Math.nextDown(1.0);
    }

    /** A product of per-value histograms with equal bins on [0, 1). */
    private static final class CubeBase {
        final int levels;
        final double[] logDensity; // [dim * levels]: log (levels * P(bin))
        final double[] cumulative; // [dim * levels]
        final double[] sd;

        private CubeBase(int levels, double[] logDensity, double[] cumulative, double[] sd) {
            this.levels = levels;
            this.logDensity = logDensity;
            this.cumulative = cumulative;
            this.sd = sd;
        }

        static CubeBase fit(Tensor data, int dim, int levels) {
            long n = data.rows();
            double[] count = new double[dim * levels];
            for (long r = 0; r < n; r++) {
                for (int j = 0; j < dim; j++) {
                    double v = data.getDouble(r * dim + j);
                    if (!(v >= 0 && v < 1)) {
                        throw new IllegalArgumentException("data for an AIS base on [0, 1)^d must lie in [0, 1); value "
                                + (r * dim + j) + " is " + v);
                    }
                    count[j * levels + Math.min(levels - 1, (int) Math.floor(v * levels))]++;
                }
            }
            double[] logDensity = new double[dim * levels];
            double[] cumulative = new double[dim * levels];
            double[] sd = new double[dim];
            for (int j = 0; j < dim; j++) {
                double acc = 0;
                double mean = 0;
                double second = 0;
                for (int l = 0; l < levels; l++) {
                    double p = (count[j * levels + l] + 1) / (n + levels);
                    logDensity[j * levels + l] = Math.log(levels * p);
                    acc += p;
                    cumulative[j * levels + l] = acc;
                    // a uniform on [l / L, (l + 1) / L): mean (l + 1/2) / L, second moment ((l + 1)^3 - l^3) / (3 L^2)
                    mean += p * (l + 0.5) / levels;
                    second += p * ((double) (l + 1) * (l + 1) * (l + 1) - (double) l * l * l) / (3.0 * levels * levels);
                }
                sd[j] = Math.sqrt(Math.max(second - mean * mean, 1e-12));
            }
            return new CubeBase(levels, logDensity, cumulative, sd);
        }

        void sample(double[] x, int offset, Rng rng) {
            int dim = sd.length;
            for (int j = 0; j < dim; j++) {
                double u = rng.nextDouble();
                int l = 0;
                while (l < levels - 1 && u >= cumulative[j * levels + l]) {
                    l++;
                }
                x[offset + j] = Math.min((l + rng.nextDouble()) / levels, Math.nextDown(1.0));
            }
        }

        double logDensity(double[] x, int offset) {
            int dim = sd.length;
            double s = 0;
            for (int j = 0; j < dim; j++) {
                double v = x[offset + j];
                if (!(v >= 0 && v < 1)) {
                    return Double.NEGATIVE_INFINITY;
                }
                s += logDensity[j * levels + Math.min(levels - 1, (int) Math.floor(v * levels))];
            }
            return s;
        }
    }

    private int flipStep(double[] x, double[] e, Base base, double b, Rng rng) {
        int k = e.length;
        double[] proposal = x.clone();
        int[] site = new int[k];
        for (int c = 0; c < k; c++) {
            site[c] = rng.nextInt(dim);
            int i = c * dim + site[c];
            proposal[i] = 1 - proposal[i];
        }
        double[] ep = energies(proposal, k);
        int accepted = 0;
        for (int c = 0; c < k; c++) {
            double logRatio = (1 - b) * (base.logDensity(proposal, c * dim) - base.logDensity(x, c * dim))
                    - b * (ep[c] - e[c]);
            if (Math.log(rng.nextDouble()) < logRatio) {
                int i = c * dim + site[c];
                x[i] = proposal[i];
                e[c] = ep[c];
                accepted++;
            }
        }
        return accepted;
    }

    /** One MALA step on f_b for every chain; {@code grad[0]} holds dE/dx at the current states and is kept current. */
    private int malaStep(double[] x, double[] e, double[][] grad, Base base, double b, double h, Rng rng) {
        int k = e.length;
        double[] g = grad[0];
        double[] proposal = new double[x.length];
        double[] noise = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int j = i % dim;
            double v = base.variance[j];
            double drift = (1 - b) * base.gradLogDensity(x[i], j) - b * g[i];
            noise[i] = rng.nextGaussian();
            proposal[i] = x[i] + 0.5 * h * v * drift + Math.sqrt(h * v) * noise[i];
        }
        double[] ep = energies(proposal, k);
        double[] gp = gradients(proposal, k);
        int accepted = 0;
        for (int c = 0; c < k; c++) {
            int o = c * dim;
            double logTarget = (1 - b) * base.logDensity(x, o) - b * e[c];
            double logTargetP = (1 - b) * base.logDensity(proposal, o) - b * ep[c];
            double forward = 0;
            double backward = 0;
            for (int j = 0; j < dim; j++) {
                double v = base.variance[j];
                double driftX = (1 - b) * base.gradLogDensity(x[o + j], j) - b * g[o + j];
                double driftP = (1 - b) * base.gradLogDensity(proposal[o + j], j) - b * gp[o + j];
                double f = proposal[o + j] - x[o + j] - 0.5 * h * v * driftX;
                double r = x[o + j] - proposal[o + j] - 0.5 * h * v * driftP;
                forward += f * f / (2 * h * v);
                backward += r * r / (2 * h * v);
            }
            double logRatio = logTargetP - logTarget - backward + forward;
            if (Double.isFinite(logRatio) && Math.log(rng.nextDouble()) < logRatio) {
                System.arraycopy(proposal, o, x, o, dim);
                System.arraycopy(gp, o, g, o, dim);
                e[c] = ep[c];
                accepted++;
            }
        }
        return accepted;
    }

    private Tensor tensor(double[] x, int k) {
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = k;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        Tensor t = Tensor.allocate(allocator, dtype, shape);
        for (int i = 0; i < x.length; i++) {
            t.setDouble(i, x[i]);
        }
        return t;
    }

    private double[] energies(double[] x, int k) {
        try (Tensor t = tensor(x, k); Tensor e = energy.energy(t)) {
            if (e.size() != k) {
                throw new IllegalStateException("energy returned " + e.size() + " values for " + k + " states");
            }
            return e.toDoubleArray();
        }
    }

    private double[] gradients(double[] x, int k) {
        try (Tensor t = tensor(x, k); Tensor g = energy.energyGradient(t)) {
            if (g.size() != x.length) {
                throw new IllegalStateException("energyGradient returned " + g.size() + " values for " + x.length);
            }
            return g.toDoubleArray();
        }
    }

    /** The tractable start: a product of one-dimensional distributions fitted to the data. */
    private static final class Base {
        final boolean binary;
        final double[] mean;
        final double[] variance;
        final double logNorm;

        private Base(boolean binary, double[] mean, double[] variance) {
            this.binary = binary;
            this.mean = mean;
            this.variance = variance;
            double n = 0;
            if (!binary) {
                for (double v : variance) {
                    n += 0.5 * Math.log(2 * Math.PI * v);
                }
            }
            this.logNorm = n;
        }

        static Base bernoulli(Tensor data, int dim) {
            double[] p = new double[dim];
            long n = data.rows();
            for (long r = 0; r < n; r++) {
                for (int j = 0; j < dim; j++) {
                    p[j] += data.getDouble(r * dim + j) > 0.5 ? 1 : 0;
                }
            }
            for (int j = 0; j < dim; j++) {
                p[j] = (p[j] + 1) / (n + 2);
            }
            return new Base(true, p, new double[dim]);
        }

        static Base gaussian(Tensor data, int dim, DoubleUnaryOperator f) {
            double[] m = new double[dim];
            double[] v = new double[dim];
            long n = data.rows();
            for (long r = 0; r < n; r++) {
                for (int j = 0; j < dim; j++) {
                    m[j] += f.applyAsDouble(data.getDouble(r * dim + j)) / n;
                }
            }
            for (long r = 0; r < n; r++) {
                for (int j = 0; j < dim; j++) {
                    double d = f.applyAsDouble(data.getDouble(r * dim + j)) - m[j];
                    v[j] += d * d / Math.max(1, n - 1);
                }
            }
            for (int j = 0; j < dim; j++) {
                // A constant dimension would give a point mass; keep the base a proper density.
                v[j] = Math.max(v[j], 1e-6);
            }
            return new Base(false, m, v);
        }

        void sample(double[] x, int offset, Rng rng) {
            for (int j = 0; j < mean.length; j++) {
                x[offset + j] = binary ? (rng.nextDouble() < mean[j] ? 1 : 0)
                        : mean[j] + Math.sqrt(variance[j]) * rng.nextGaussian();
            }
        }

        double logDensity(double[] x, int offset) {
            double s = 0;
            for (int j = 0; j < mean.length; j++) {
                double v = x[offset + j];
                if (binary) {
                    s += v > 0.5 ? Math.log(mean[j]) : Math.log1p(-mean[j]);
                } else {
                    double d = v - mean[j];
                    s -= d * d / (2 * variance[j]);
                }
            }
            return s - logNorm;
        }

        double gradLogDensity(double v, int j) {
            return -(v - mean[j]) / variance[j];
        }
    }
}
