package org.genbench.model.vae.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.junit.jupiter.api.Test;

/**
 * The conditional VAE's marginal bound is a lower bound on log p(x) in expectation: against log p(x) itself,
 * computed by quadrature for a model with a one-dimensional latent, and on simulated per-class bounds where the
 * log-sum-exp of one-sample bounds (the estimator it replaced) overshoots.
 */
class ConditionalVaeModelTest {
    private static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - max);
        }
        return max + Math.log(s);
    }

    @Test
    void exactClassBoundsGiveExactlyTheMarginalLikelihood() {
        double[] logPxGivenC = {-100, -101.5, -99.2, -130};
        double[][] exact = new double[4][];
        for (int c = 0; c < 4; c++) {
            exact[c] = new double[] {logPxGivenC[c]};
        }
        double logPx = logSumExp(logPxGivenC) - Math.log(4);
        // With q(c|x) the true class posterior, the ELBO over c is tight.
        assertEquals(logPx, ConditionalVaeModel.classLatentBound(exact, exact, -Math.log(4))[0], 1e-12);
        // Any other q gives less.
        double[][] wrong = {{-100}, {-100}, {-100}, {-100}};
        assertTrue(ConditionalVaeModel.classLatentBound(wrong, exact, -Math.log(4))[0] < logPx - 0.1);
    }

    @Test
    void noisyOneSampleBoundsStayBelowLogPxWhereTheirLogSumExpOvershoots() {
        // Per-class one-sample bounds as an ELBO gives them: below log p(x|c) by a gap on average, with noise.
        double[] logPxGivenC = {-100, -100.5, -101, -103};
        double logPx = logSumExp(logPxGivenC) - Math.log(4);
        double gap = 0.5;
        double sd = 2.0;
        SplittableRandom rng = new SplittableRandom(8);
        int reps = 20_000;
        double sumNew = 0;
        double sumSqNew = 0;
        double sumOld = 0;
        double sumSqOld = 0;
        double[][] selection = new double[4][1];
        double[][] fresh = new double[4][1];
        double[] shifted = new double[4];
        for (int r = 0; r < reps; r++) {
            for (int c = 0; c < 4; c++) {
                selection[c][0] = logPxGivenC[c] - gap + sd * gaussian(rng);
                fresh[c][0] = logPxGivenC[c] - gap + sd * gaussian(rng);
                shifted[c] = fresh[c][0] - Math.log(4);
            }
            double bound = ConditionalVaeModel.classLatentBound(selection, fresh, -Math.log(4))[0];
            double old = logSumExp(shifted);
            sumNew += bound;
            sumSqNew += bound * bound;
            sumOld += old;
            sumSqOld += old * old;
        }
        double meanNew = sumNew / reps;
        double seNew = Math.sqrt((sumSqNew / reps - meanNew * meanNew) / reps);
        double meanOld = sumOld / reps;
        double seOld = Math.sqrt((sumSqOld / reps - meanOld * meanOld) / reps);
        System.out.printf("log p(x) %.4f; class-latent bound %.4f +- %.4f; log-sum-exp of one-sample bounds %.4f +- %.4f%n",
                logPx, meanNew, seNew, meanOld, seOld);
        assertTrue(meanNew < logPx - 3 * seNew, "the class-latent bound is below log p(x) on average");
        assertTrue(meanOld > logPx + 3 * seOld, "the old estimator overshoots log p(x) on average: not a bound");
    }

    @Test
    void theModelsBoundIsBelowItsLogLikelihoodComputedByQuadrature() {
        try (BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build())) {
            VaeModelTest helper = new VaeModelTest();
            helper.allocator = allocator;
            Rng rng = new Rng(31);
            try (Batch train = helper.prototypes(400, rng.split("train")); Batch test = helper.prototypes(6, rng.split("test"))) {
                // A one-dimensional latent, so that log p(x) = log sum_c p(c) int p(x|z,c) N(z; 0, 1) dz is a quadrature.
                ConditionalVaeModel m = (ConditionalVaeModel) new ConditionalVaeFamily()
                        .create(VaeModelTest.config(32, 1, "bernoulli", 1), VaeModelTest.BINARY, new Rng(2));
                for (int step = 0; step < 100; step++) {
                    int start = (step * 40) % 400;
                    try (Tensor x = train.x().slice(start, 40); Tensor y = train.label().orElseThrow().slice(start, 40)) {
                        m.trainStep(Batch.of(x, y), VaeModelTest.ADAM, rng.split(step));
                    }
                }
                double[] exact = quadrature(m, test.x());
                int reps = 50;
                double[] sum = new double[exact.length];
                double[] sumSq = new double[exact.length];
                for (int r = 0; r < reps; r++) {
                    try (Tensor b = m.logDensityBound(test.x(), new Rng(1000 + r))) {
                        for (int i = 0; i < exact.length; i++) {
                            double v = b.getDouble(i);
                            sum[i] += v;
                            sumSq[i] += v * v;
                        }
                    }
                }
                for (int i = 0; i < exact.length; i++) {
                    double mean = sum[i] / reps;
                    double se = Math.sqrt(Math.max(0, sumSq[i] / reps - mean * mean) / reps);
                    System.out.printf("example %d: log p(x) %.4f by quadrature, bound %.4f +- %.4f%n", i, exact[i], mean, se);
                    assertTrue(mean <= exact[i] + 3 * se + 1e-6, "example " + i + ": bound " + mean + " +- " + se
                            + " above log p(x) " + exact[i]);
                    assertTrue(mean > exact[i] - 30, "and not absurdly loose: " + mean + " vs " + exact[i]);
                }
            }
        }
    }

    /** log p(x) per example of {@code x} for a model with a 1-D latent: trapezoid rule on z in [-12, 12], 4801 points. */
    private static double[] quadrature(ConditionalVaeModel m, Tensor x) {
        int k = 4801;
        double h = 24.0 / (k - 1);
        int classes = m.numClasses();
        try (Scope scope = Scope.open()) {
            NdArray xs = m.rows(x);
            int n = xs.dim(0);
            int d = xs.dim(1);
            double[] grid = new double[k];
            for (int j = 0; j < k; j++) {
                grid[j] = -12 + j * h;
            }
            NdArray z = F.reshape(NdArray.wrap(grid, k), k, 1);
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                double[] row = new double[k * d];
                for (int j = 0; j < k; j++) {
                    for (int p = 0; p < d; p++) {
                        row[j * d + p] = xs.getFlat(i * d + p);
                    }
                }
                NdArray xi = NdArray.wrap(row, k, d);
                double[] terms = new double[classes * k];
                for (int c = 0; c < classes; c++) {
                    int[] labels = new int[k];
                    java.util.Arrays.fill(labels, c);
                    NdArray y = F.oneHot(labels, classes, m.dtype);
                    double[] logp = m.logLikelihood(xi.to(m.dtype), m.net.decode(z.to(m.dtype), y)).toDoubleArray();
                    for (int j = 0; j < k; j++) {
                        double weight = (j == 0 || j == k - 1) ? 0.5 : 1.0;
                        terms[c * k + j] = logp[j] - 0.5 * grid[j] * grid[j] - 0.5 * Math.log(2 * Math.PI)
                                + Math.log(weight * h) - Math.log(classes);
                    }
                }
                out[i] = logSumExp(terms);
            }
            return out;
        }
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
