package org.genbench.model.vae.internal;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;

/**
 * A VAE whose encoder and decoder also see the one-hot class. Training and {@link #encode}/{@link #decode} use the
 * batch's labels. Unconditional questions are answered over a uniform class prior p(c) = 1/C: sampling draws c
 * first, and the bound on log p(x) treats the class as a second latent variable (see {@link #logDensityBound}).
 */
final class ConditionalVaeModel extends VaeModel implements Conditional {
    ConditionalVaeModel(Settings settings, DataInfo data, Rng rng) {
        this(settings, data, rng, DType.F32);
    }

    ConditionalVaeModel(Settings settings, DataInfo data, Rng rng, DType dtype) {
        super(ConditionalVaeFamily.NAME, settings, data, data.numClasses(), rng, dtype);
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String boundName() {
        return super.boundName() + "-class-latent";
    }

    @Override
    public Tensor sample(Tensor labels, Rng rng, BufferAllocator allocator) {
        return generate((int) labels.rows(), labelArray(labels, (int) labels.rows()), rng, allocator);
    }

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = rng.nextInt(classes);
        }
        return generate(n, c, rng, allocator);
    }

    /**
     * A lower bound on log p(x) = log sum_c p(c) p(x | c), with the class as a latent variable:
     * E_q(c|x)[log p(c) + B'(x | c) - log q(c | x)], where B' is the ELBO (or IWAE bound) of log p(x | c) with fresh
     * noise, and q(c | x) is proportional to exp B(x | c) from an independent set of draws. Because q does not
     * depend on the draws of B', the expectation of this estimate is at most
     * sum_c q(c) (log p(x | c) + log p(c) - log q(c)), which is at most log p(x) for any q: a true lower bound, unlike
     * the log-sum-exp over classes of one-draw bounds (convex in the draws, so biased upwards).
     */
    @Override
    public Tensor logDensityBound(Tensor x, Rng rng) {
        double[] out;
        try (Scope s = Scope.open()) {
            NdArray xs = rows(x);
            int n = xs.dim(0);
            double[][] proposal = new double[classes][];
            double[][] fresh = new double[classes][];
            for (int c = 0; c < classes; c++) {
                int[] labels = new int[n];
                Arrays.fill(labels, c);
                NdArray y = F.oneHot(labels, classes, dtype);
                proposal[c] = bound(xs, y, rng.split("q/" + c));
                fresh[c] = bound(xs, y, rng.split("bound/" + c));
            }
            out = classLatentBound(proposal, fresh, -Math.log(classes));
        }
        return Tensor.ofDoubles(x.allocator(), out, out.length);
    }

    /**
     * The estimate above from per-class bounds: {@code proposal} (per class, per example) chooses q(c | x) =
     * softmax_c(proposal_c + log p(c)), {@code fresh} (independent draws) enters the bound, {@code logPrior} is log p(c)
     * for every class. ConditionalVaeModelTest checks it against log p(x) by quadrature and shows the log-sum-exp of
     * one-draw bounds it replaced above log p(x) on average.
     */
    static double[] classLatentBound(double[][] proposal, double[][] fresh, double logPrior) {
        int classes = proposal.length;
        int n = proposal[0].length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, proposal[c][i]);
            }
            double z = 0;
            for (int c = 0; c < classes; c++) {
                z += Math.exp(proposal[c][i] - max);
            }
            double logZ = max + Math.log(z);
            double acc = 0;
            for (int c = 0; c < classes; c++) {
                double logQ = proposal[c][i] - logZ; // the prior is uniform: it cancels in the softmax
                double q = Math.exp(logQ);
                if (q > 0) { // q log q -> 0 as q -> 0; without this, 0 * -infinity would make the bound NaN
                    acc += q * (fresh[c][i] + logPrior - logQ);
                }
            }
            out[i] = acc;
        }
        return out;
    }

    /** The bound on log p(x | c) for the given labels, float64 {@code [n]}. */
    Tensor conditionalBound(Tensor x, Tensor labels, Rng rng) {
        double[] b;
        try (Scope s = Scope.open()) {
            NdArray xs = rows(x);
            b = bound(xs, oneHot(labels, xs.dim(0)), rng);
        }
        return Tensor.ofDoubles(x.allocator(), b, b.length);
    }
}
