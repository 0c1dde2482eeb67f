package org.genbench.model.rbm.internal;

import org.genbench.api.Rng;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.NdArray;
import org.genbench.nn.optim.Sgd;

/**
 * One restricted Boltzmann machine: d visible units (Bernoulli, or Gaussian with a fixed standard deviation sigma),
 * h Bernoulli hidden units, couplings W (d x h, row-major), visible biases b and hidden biases c. Energies:
 *
 * <pre>
 *   Bernoulli-Bernoulli:  E(v, h) = -b.v - c.h - v.W h
 *   Gaussian-Bernoulli:   E(v, h) = |v - b|^2 / (2 sigma^2) - c.h - (v / sigma).W h
 * </pre>
 *
 * so that E(v, h) = U(v) - h.a(v) with hidden field a(v) = c + W^T v / sigma (sigma = 1 for Bernoulli units), and
 * v | h has log-odds b + W h (Bernoulli) or mean b + sigma W h and variance sigma^2 (Gaussian). The free energy is
 * F(v) = U(v) - sum_j softplus(a_j(v)).
 *
 * <p>All arithmetic is float64: the products go to BLAS, the rest are plain loops. Randomness is drawn in a fixed,
 * documented order so that a twin in another language can replay it: {@link #sampleHidden} draws one uniform per
 * hidden unit, rows in order, and sets h = 1 when u &lt; sigmoid(a); {@link #sampleVisible} does the same with the
 * visible log-odds, or adds sigma times one {@code nextGaussian} per unit to the mean.
 *
 * <p>Training ({@link #contrastiveStep}) minimizes mean F(positive) - mean F(negative): the free energy is written
 * once more with the nn bundle's operations, its gradient comes from nn's autograd, and nn's {@link Sgd} takes the
 * step (momentum; weight decay on W only, so W and the biases have an optimizer each). The parameters are nn
 * parameters whose float64 arrays the products above read in place.
 */
final class RbmLayer {
    final int d;
    final int h;
    final boolean gaussian;
    final double sigma;
    final NdArray weight;
    final NdArray visibleBias;
    final NdArray hiddenBias;
    /** The values of weight, visibleBias, hiddenBias: the parameters' own storage, updated in place by the optimizer. */
    final double[] w;
    final double[] b;
    final double[] c;
    private Sgd weights;
    private Sgd biases;
    private double momentum;
    private double weightDecay;
    long steps;
    /** Column means of the positive data this layer was trained on, and how many rows they cover (the AIS base). */
    final double[] dataMean;
    long dataCount;

    RbmLayer(int d, int h, boolean gaussian, double sigma) {
        if (d < 1 || h < 1) {
            throw new IllegalArgumentException("an RBM needs at least one visible and one hidden unit, was " + d + " x " + h);
        }
        this.d = d;
        this.h = h;
        this.gaussian = gaussian;
        this.sigma = gaussian ? sigma : 1.0;
        this.weight = NdArray.parameter("w", NdArray.wrap(new double[Math.multiplyExact(d, h)], d, h));
        this.visibleBias = NdArray.parameter("b", NdArray.wrap(new double[d], d));
        this.hiddenBias = NdArray.parameter("c", NdArray.wrap(new double[h], h));
        this.w = weight.d();
        this.b = visibleBias.d();
        this.c = hiddenBias.d();
        this.dataMean = new double[d];
        optimizers(0, 0);
    }

    /**
     * nn's SGD for W (with weight decay) and for the biases (without), at this momentum; a change of momentum or decay
     * (a momentum warm-up) carries the velocities and the step count over.
     */
    private void optimizers(double mu, double decay) {
        Sgd w1 = new Sgd(java.util.Map.of("w", weight), mu, decay, false);
        java.util.Map<String, NdArray> both = new java.util.LinkedHashMap<>();
        both.put("b", visibleBias);
        both.put("c", hiddenBias);
        Sgd b1 = new Sgd(both, mu, 0, false);
        if (weights != null) {
            w1.load(weights.state(), weights.steps());
            b1.load(biases.state(), biases.steps());
        }
        weights = w1;
        biases = b1;
        momentum = mu;
        weightDecay = decay;
    }

    Sgd weightOptimizer() {
        return weights;
    }

    Sgd biasOptimizer() {
        return biases;
    }

    double momentum() {
        return momentum;
    }

    double weightDecay() {
        return weightDecay;
    }

    /** After a checkpoint's arrays are loaded: optimizers at the saved momentum and decay, their state loaded. */
    void restoreOptimizers(double mu, double decay, java.util.Map<String, NdArray> weightState, long weightSteps,
            java.util.Map<String, NdArray> biasState, long biasSteps) {
        weights = null;
        optimizers(mu, decay);
        weights.load(weightState, weightSteps);
        biases.load(biasState, biasSteps);
    }

    /** W ~ N(0, initScale^2) (Hinton's guide: 0.01), biases at {@code hiddenBias} and 0, drawn from {@code rng}. */
    void initialize(double initScale, double hiddenBias, Rng rng) {
        for (int i = 0; i < w.length; i++) {
            w[i] = initScale * rng.nextGaussian();
        }
        java.util.Arrays.fill(c, hiddenBias);
    }

    long parameterCount() {
        return (long) w.length + d + h;
    }

    /** a(v) = c + W^T v / sigma for n rows of v, into {@code out} (n x h). */
    void hiddenField(double[] v, int n, double[] out) {
        for (int r = 0; r < n; r++) {
            System.arraycopy(c, 0, out, r * h, h);
        }
        Blas.gemm(false, false, n, h, d, 1 / sigma, v, w, 1.0, out);
    }

    /** The log-odds (Bernoulli) or mean (Gaussian) of v given n rows of h, into {@code out} (n x d). */
    void visibleField(double[] hidden, int n, double[] out) {
        for (int r = 0; r < n; r++) {
            System.arraycopy(b, 0, out, r * d, d);
        }
        Blas.gemm(false, true, n, d, h, sigma, hidden, w, 1.0, out);
    }

    /** U(v) for n rows into {@code out}. */
    void visibleEnergy(double[] v, int n, double[] out) {
        double inv = 1 / (2 * sigma * sigma);
        for (int r = 0; r < n; r++) {
            double e = 0;
            int o = r * d;
            if (gaussian) {
                for (int i = 0; i < d; i++) {
                    double z = v[o + i] - b[i];
                    e += z * z;
                }
                e *= inv;
            } else {
                for (int i = 0; i < d; i++) {
                    e -= b[i] * v[o + i];
                }
            }
            out[r] = e;
        }
    }

    /** F(v) for n rows into {@code out}; {@code field} is scratch of n x h. */
    void freeEnergy(double[] v, int n, double[] out, double[] field) {
        hiddenField(v, n, field);
        visibleEnergy(v, n, out);
        for (int r = 0; r < n; r++) {
            out[r] -= softplusSum(field, r * h, h, 1.0);
        }
    }

    /**
     * sum_j softplus(scale * x_j) over {@code count} values from {@code offset}, as sum_j max(z_j, 0) plus the log of
     * prod_j (1 + exp(-|z_j|)): one exp per value and one log per 512 (each factor is in (1, 2], so 512 of them stay
     * below 2^512); log1p per value would cost about three times as much.
     */
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

    /** dF/dv for n rows into {@code out} (n x d). */
    void freeEnergyGradient(double[] v, int n, double[] out) {
        double[] p = new double[n * h];
        hiddenField(v, n, p);
        for (int k = 0; k < p.length; k++) {
            p[k] = sigmoid(p[k]);
        }
        // dF/dv_i = dU/dv_i - sum_j p_j W_ij / sigma
        Blas.gemm(false, true, n, d, h, -1 / sigma, p, w, 0.0, out);
        double inv = 1 / (sigma * sigma);
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int i = 0; i < d; i++) {
                out[o + i] += gaussian ? (v[o + i] - b[i]) * inv : -b[i];
            }
        }
    }

    /** h ~ p(h | v): one uniform per hidden unit, rows in order. */
    void sampleHidden(double[] v, int n, Rng rng, double[] out) {
        hiddenField(v, n, out);
        for (int k = 0; k < n * h; k++) {
            out[k] = rng.nextDouble() < sigmoid(out[k]) ? 1 : 0;
        }
    }

    /** v ~ p(v | h): one uniform (Bernoulli) or one standard normal (Gaussian) per visible unit, rows in order. */
    void sampleVisible(double[] hidden, int n, Rng rng, double[] out) {
        visibleField(hidden, n, out);
        for (int k = 0; k < n * d; k++) {
            out[k] = gaussian ? out[k] + sigma * rng.nextGaussian() : (rng.nextDouble() < sigmoid(out[k]) ? 1 : 0);
        }
    }

    /** E[v | h]: sigmoid of the log-odds, or the mean. */
    void visibleMean(double[] hidden, int n, double[] out) {
        visibleField(hidden, n, out);
        if (!gaussian) {
            for (int k = 0; k < n * d; k++) {
                out[k] = sigmoid(out[k]);
            }
        }
    }

    /**
     * One update on mean F(positive) - mean F(negative) (+ weightDecay / 2 |W|^2, in the optimizer): the gradient by
     * nn's autograd through {@link #freeEnergyGraph}, the step by nn's SGD. Returns the two mean free energies from
     * before the update.
     */
    double[] contrastiveStep(double[] pos, int np, double[] neg, int nn, double rate, double mu, double decay) {
        if (mu != momentum || decay != weightDecay) {
            optimizers(mu, decay);
        }
        double[] means = new double[2];
        try (Graph g = Graph.record()) {
            NdArray fp = F.mean(freeEnergyGraph(NdArray.wrap(pos, np, d)));
            NdArray fn = F.mean(freeEnergyGraph(NdArray.wrap(neg, nn, d)));
            means[0] = fp.item();
            means[1] = fn.item();
            g.backward(F.sub(fp, fn));
        }
        weights.step(rate);
        biases.step(rate);
        steps++;
        // The running mean of the positive data: a base for AIS that needs no data at evaluation time.
        double[] sums = new double[d];
        columnSums(pos, np, d, sums, 1.0);
        long total = dataCount + np;
        for (int i = 0; i < d; i++) {
            dataMean[i] = (dataMean[i] * dataCount + sums[i]) / total;
        }
        dataCount = total;
        return means;
    }

    /** F(v) per row, [n], with nn's operations: U(v) - sum_j softplus(v W / sigma + c). */
    NdArray freeEnergyGraph(NdArray v) {
        NdArray a = F.add(F.mul(F.matmul(v, weight), 1 / sigma), hiddenBias);
        NdArray u = gaussian
                ? F.mul(F.sum(F.square(F.sub(v, visibleBias)), 1, false), 1 / (2 * sigma * sigma))
                : F.neg(F.sum(F.mul(v, visibleBias), 1, false));
        return F.sub(u, F.sum(F.softplus(a), 1, false));
    }

    private static void columnSums(double[] x, int rows, int cols, double[] out, double scale) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int i = 0; i < cols; i++) {
                out[i] += scale * x[o + i];
            }
        }
    }

    static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
