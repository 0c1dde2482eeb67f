package org.genbench.testing;

import org.genbench.api.DataInfo;
import org.genbench.api.Energy;
import org.genbench.api.Model;
import org.genbench.api.tensor.Tensor;

/**
 * A separable energy with a closed-form target, for checking samplers: per dimension i (of {@code d}), either a
 * Gaussian E_i = (x_i - mu_i)^2 / (2 s^2) or a linear E_i = a_i x_i (on dequantized data a product of truncated
 * exponentials on [0, 1)^d). The energy of a row is the sum over its dimensions.
 */
public final class TestEnergy implements Model, Energy {
    private final DataInfo info;
    private final double[] centre;
    private final double variance;
    private final double[] slope;

    private TestEnergy(DataInfo info, double[] centre, double variance, double[] slope) {
        this.info = info;
        this.centre = centre;
        this.variance = variance;
        this.slope = slope;
    }

    /** E(x) = sum_i (x_i - mu_i)^2 / (2 variance). */
    public static TestEnergy gaussian(DataInfo info, double[] mu, double variance) {
        return new TestEnergy(info, mu.clone(), variance, null);
    }

    /** E(x) = sum_i a_i x_i. */
    public static TestEnergy linear(DataInfo info, double[] a) {
        return new TestEnergy(info, null, 0, a.clone());
    }

    private int dims() {
        return slope != null ? slope.length : centre.length;
    }

    @Override
    public DataInfo data() {
        return info;
    }

    @Override
    public long parameterCount() {
        return 0;
    }

    @Override
    public Tensor energy(Tensor x) {
        double[] v = x.toDoubleArray();
        int d = dims();
        double[] e = new double[v.length / d];
        for (int i = 0; i < v.length; i++) {
            e[i / d] += slope != null ? slope[i % d] * v[i]
                    : (v[i] - centre[i % d]) * (v[i] - centre[i % d]) / (2 * variance);
        }
        return Tensor.ofDoubles(x.allocator(), e, e.length);
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        double[] v = x.toDoubleArray();
        int d = dims();
        for (int i = 0; i < v.length; i++) {
            v[i] = slope != null ? slope[i % d] : (v[i] - centre[i % d]) / variance;
        }
        return Tensor.ofDoubles(x.allocator(), v, x.shape());
    }
}
