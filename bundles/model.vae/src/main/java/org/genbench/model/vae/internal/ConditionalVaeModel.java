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
 * first, and the bound on log p(x) is log sum_c p(c) exp(B(x | c)), itself a lower bound on log p(x) because each
 * B(x | c) bounds log p(x | c) and log-sum-exp is increasing.
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
        return super.boundName() + "-uniform-class-prior";
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
        double[][] perClass = new double[classes][];
        for (int c = 0; c < classes; c++) {
            int[] labels = new int[n];
            Arrays.fill(labels, c);
            perClass[c] = bound(xs, oneHot(labels), rng.split(c));
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, perClass[c][i]);
            }
            double s = 0;
            for (int c = 0; c < classes; c++) {
                s += Math.exp(perClass[c][i] - max);
            }
            out[i] = max + Math.log(s / classes);
        }
        return Nd4jArrow.toTensor(Nd4j.create(out, new long[] {n}, DataType.DOUBLE), x.allocator());
    }

    /** The bound on log p(x | c) for the given labels, float64 {@code [n]}. */
    Tensor conditionalBound(Tensor x, Tensor labels, Rng rng) {
        INDArray xs = rows(x);
        return Nd4jArrow.toTensor(Nd4j.create(bound(xs, oneHot(labels, (int) xs.rows()), rng),
                new long[] {xs.rows()}, DataType.DOUBLE), x.allocator());
    }
}
