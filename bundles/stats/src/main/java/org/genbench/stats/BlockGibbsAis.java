package org.genbench.stats;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.BlockGibbs;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;

/**
 * log Z of a bipartite model ({@link BlockGibbs}: an RBM, a DBN's top layer) by annealed importance sampling with
 * exact block-Gibbs transitions (Neal 2001; Salakhutdinov and Murray 2008).
 *
 * <p>The path runs from a base A with the same units and no couplings to the model B through the joint energies
 * E_b(v, h) = (1 - b) E_A(v) + b E(v, h), E(v, h) = U(v) - h.a(v). Summing h out,
 * log f_b(v) = -(1 - b) E_A(v) - b U(v) + sum_j softplus(b a_j(v)), and the base's partition function is
 * Z_A 2^H. Each chain starts at an exact draw from A, adds log f_(b_t)(v) - log f_(b_(t-1))(v) to its log weight at
 * every step and then takes one complete Gibbs sweep that leaves f_(b_t) invariant: every hidden unit from
 * sigmoid(b a(v)), then every visible unit from its conditional under E_b, which mixes the base's field with the
 * model's: log-odds (1 - b) a_A + b visibleField(h) for Bernoulli units; for Gaussian units the base has the model's
 * variances, so v given h stays Gaussian with those variances and mean (1 - b) m_A + b visibleField(h).
 *
 * <p>Bases: Bernoulli units get the factorized distribution of the data's frequencies of ones (add-one smoothed), the
 * base of Salakhutdinov and Murray; Gaussian units a Gaussian at the data's mean with the model's variances.
 */
public final class BlockGibbsAis {
    private BlockGibbsAis() {
    }

    /**
     * @param model the bipartite model
     * @param sampleShape the shape of one visible state
     * @param baseData per visible unit: the data's frequency of ones (Bernoulli units) or mean (Gaussian units)
     * @param trainingExamples how many examples {@code baseData} comes from, for the add-one smoothing of frequencies
     */
    public static AisResult logPartition(BlockGibbs model, long[] sampleShape, double[] baseData, long trainingExamples,
            AisSettings settings, Rng rng, BufferAllocator allocator, BooleanSupplier cancelled) {
        int d = baseData.length;
        int h = model.hiddenUnits();
        int m = settings.chains();
        boolean bernoulli = model.visibleUnits() == BlockGibbs.Units.BERNOULLI;
        long[] visibleShape = new long[sampleShape.length + 1];
        visibleShape[0] = m;
        System.arraycopy(sampleShape, 0, visibleShape, 1, sampleShape.length);
        if (Math.multiplyExact(m, (long) d) != Math.multiplyExact(m, shapeSize(sampleShape))) {
            throw new IllegalArgumentException(d + " base values for visible states shaped "
                    + java.util.Arrays.toString(sampleShape));
        }

        // The base: a field per visible unit and log Z_A (the hidden units add H log 2 at b = 0).
        double[] baseField = new double[d];
        double[] variance = new double[d];
        double logZ0 = h * Math.log(2);
        if (bernoulli) {
            for (int i = 0; i < d; i++) {
                double p = (baseData[i] * trainingExamples + 1) / (trainingExamples + 2.0);
                baseField[i] = Math.log(p) - Math.log1p(-p);
                logZ0 += softplus(baseField[i]);
            }
        } else {
            try (Tensor v = model.visibleVariance(allocator)) {
                Values.read(v, variance);
            }
            for (int i = 0; i < d; i++) {
                if (!(variance[i] > 0) || Double.isInfinite(variance[i])) {
                    throw new IllegalStateException("visible unit " + i + " has variance " + variance[i]);
                }
                baseField[i] = baseData[i];
                logZ0 += 0.5 * Math.log(2 * Math.PI * variance[i]);
            }
        }

        double[] v = new double[m * d];
        for (int c = 0; c < m; c++) {
            for (int i = 0; i < d; i++) {
                v[c * d + i] = bernoulli ? (rng.nextDouble() < sigmoid(baseField[i]) ? 1 : 0)
                        : baseField[i] + Math.sqrt(variance[i]) * rng.nextGaussian();
            }
        }
        double[] logW = new double[m];
        double[] a = new double[m * h];
        double[] u = new double[m];
        double[] hs = new double[m * h];
        double[] g = new double[m * d];
        try (Tensor visible = Values.tensor(allocator, v, visibleShape);
             Tensor hidden = Values.tensor(allocator, hs, m, h)) {
            fields(model, visible, v, a, u);
            double previous = 0;
            for (int t = 1; t <= settings.distributions(); t++) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("AIS cancelled at intermediate distribution " + t + " of "
                            + settings.distributions());
                }
                double b = settings.beta(t);
                for (int c = 0; c < m; c++) {
                    double baseEnergy = baseEnergy(v, c * d, d, baseField, variance, bernoulli);
                    double sp = softplusSum(a, c * h, h, b);
                    double spPrevious = softplusSum(a, c * h, h, previous);
                    // log f_b(v) - log f_previous(v)
                    logW[c] += (b - previous) * (baseEnergy - u[c]) + sp - spPrevious;
                }
                previous = b;
                if (t == settings.distributions()) {
                    break; // the last state's move would not change any weight
                }
                for (int k = 0; k < m * h; k++) {
                    hs[k] = rng.nextDouble() < sigmoid(b * a[k]) ? 1 : 0;
                }
                Values.write(hs, hidden);
                try (Tensor field = model.visibleField(hidden)) {
                    Values.read(field, g);
                }
                for (int c = 0; c < m; c++) {
                    for (int i = 0; i < d; i++) {
                        int k = c * d + i;
                        double f = (1 - b) * baseField[i] + b * g[k];
                        v[k] = bernoulli ? (rng.nextDouble() < sigmoid(f) ? 1 : 0)
                                : f + Math.sqrt(variance[i]) * rng.nextGaussian();
                    }
                }
                Values.write(v, visible);
                fields(model, visible, v, a, u);
            }
        }
        for (int c = 0; c < m; c++) {
            logW[c] += logZ0;
        }
        double[] s = AisResult.summarize(logW);
        String base = bernoulli ? "factorized Bernoulli, training data frequencies (add-one smoothed)"
                : "diagonal Gaussian, training data mean, the model's visible variances";
        String kernel = "block Gibbs: one complete sweep (all hidden, then all visible units) per distribution";
        return new AisResult(s[0], s[1], s[2], 1.0, base, kernel, settings, logW);
    }

    /** Per visible unit of {@code data} rows: the mean (a frequency of ones for binary data). */
    public static double[] columnMeans(Tensor data) {
        int n = Math.toIntExact(data.rows());
        int d = Math.toIntExact(data.rowSize());
        double[] mean = new double[d];
        double[] row = new double[d];
        for (int r = 0; r < n; r++) {
            try (Tensor one = data.slice(r, 1)) {
                Values.read(one, row);
            }
            for (int i = 0; i < d; i++) {
                mean[i] += row[i] / n;
            }
        }
        return mean;
    }

    private static void fields(BlockGibbs model, Tensor visible, double[] v, double[] a, double[] u) {
        try (Tensor field = model.hiddenField(visible); Tensor energy = model.visibleEnergy(visible)) {
            Values.read(field, a);
            Values.read(energy, u);
        }
    }

    private static double baseEnergy(double[] v, int offset, int d, double[] field, double[] variance,
            boolean bernoulli) {
        double e = 0;
        for (int i = 0; i < d; i++) {
            double x = v[offset + i];
            if (bernoulli) {
                e -= field[i] * x;
            } else {
                double z = x - field[i];
                e += z * z / (2 * variance[i]);
            }
        }
        return e;
    }

    private static long shapeSize(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** sum_j softplus(scale x_j): max parts summed, the rest as the log of a product (one log per 512 values). */
    static double softplusSum(double[] x, int offset, int count, double scale) {
        double sum = 0;
        double product = 1;
        int k = 0;
        for (int j = 0; j < count; j++) {
            double z = scale * x[offset + j];
            sum += Math.max(z, 0);
            product *= 1 + Math.exp(-Math.abs(z));
            if (++k == 512) {
                sum += Math.log(product);
                product = 1;
                k = 0;
            }
        }
        return sum + Math.log(product);
    }

    static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
