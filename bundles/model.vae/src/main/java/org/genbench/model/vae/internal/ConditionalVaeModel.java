package org.genbench.model.vae.internal;

import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.tensor.Nd4jArrow;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A VAE whose encoder and decoder also see the one-hot class. Training and {@link #encode}/{@link #decode} use the
 * batch's labels. Unconditional questions are answered over a uniform class prior p(c) = 1/C: sampling draws c
 * first, and the bound on log p(x) treats the class as one more latent variable (see {@link #classLatentBound}).
 */
final class ConditionalVaeModel extends VaeModel implements Conditional {
    ConditionalVaeModel(Settings settings, DataInfo data, Rng rng) {
        super(ConditionalVaeFamily.NAME, settings, data, data.numClasses(), rng);
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String boundName() {
        return super.boundName() + "-class-latent-uniform-prior";
    }

    @Override
    public Tensor sample(Tensor labels, Rng rng, BufferAllocator allocator) {
        return generate((int) labels.rows(), oneHot(labels, (int) labels.rows()), rng, allocator);
    }

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            c[i] = rng.nextInt(classes);
        }
        return generate(n, oneHot(c), rng, allocator);
    }

    @Override
    public Tensor logDensityBound(Tensor x, Rng rng) {
        INDArray xs = rows(x);
        int n = (int) xs.rows();
        double[][] selection = new double[classes][];
        double[][] fresh = new double[classes][];
        for (int c = 0; c < classes; c++) {
            int[] labels = new int[n];
            Arrays.fill(labels, c);
            INDArray y = oneHot(labels);
            selection[c] = bound(xs, y, rng.split("class-posterior").split(c));
            fresh[c] = bound(xs, y, rng.split("class-bound").split(c));
        }
        return Nd4jArrow.toTensor(Nd4j.create(classLatentBound(selection, fresh, -Math.log(classes)), new long[] {n},
                DataType.DOUBLE), x.allocator());
    }

    /**
     * A lower bound on log p(x) = log sum_c p(c) p(x | c) in expectation, from per-class bounds B_c(x) on
     * log p(x | c) (ELBO or IWAE estimates, each a lower bound in expectation), the class treated as a latent:
     * <pre>  L(x) = sum_c q(c | x) [ B_c(x) + log p(c) - log q(c | x) ],   q(c | x) = softmax_c(S_c(x) + log p(c))</pre>
     * where S (the {@code selection}) and B (the {@code fresh} estimates) come from independent random draws. Given S,
     * E[L] = sum_c q [E B_c + log p(c) - log q] &lt;= sum_c q [log p(x, c) - log q] &lt;= log p(x) (the second step is
     * the ELBO over c, equal when q is the true class posterior). Using the same draws for q and B would break the
     * first step; and the log-sum-exp of one-sample bounds, log sum_c p(c) exp(B_c), is not a bound in expectation at
     * all: log-sum-exp is convex, so its noise pushes it up (ConditionalVaeModelTest shows it above log p(x)).
     *
     * @param selection per class c, per example: the estimates that choose q(c | x)
     * @param fresh     per class c, per example: independent estimates entering the bound
     * @param logPrior  log p(c), the same for every class
     */
    static double[] classLatentBound(double[][] selection, double[][] fresh, double logPrior) {
        int classes = selection.length;
        int n = selection[0].length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, selection[c][i]);
            }
            double z = 0;
            for (int c = 0; c < classes; c++) {
                z += Math.exp(selection[c][i] - max);
            }
            double logZ = max + Math.log(z);
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double logQ = selection[c][i] - logZ; // the prior is uniform: it cancels in the softmax
                double q = Math.exp(logQ);
                if (q > 0) { // q log q -> 0 as q -> 0
                    sum += q * (fresh[c][i] + logPrior - logQ);
                }
            }
            out[i] = sum;
        }
        return out;
    }

    /** The bound on log p(x | c) for the given labels, float64 {@code [n]}. */
    Tensor conditionalBound(Tensor x, Tensor labels, Rng rng) {
        INDArray xs = rows(x);
        return Nd4jArrow.toTensor(Nd4j.create(bound(xs, oneHot(labels, (int) xs.rows()), rng),
                new long[] {xs.rows()}, DataType.DOUBLE), x.allocator());
    }
}
