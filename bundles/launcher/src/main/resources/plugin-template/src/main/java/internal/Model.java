package @@PACKAGE@@.internal;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.EmFittable;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * N(mu, diag(var)): log p(x) = -1/2 sum_j [(x_j - mu_j)^2 / var_j + log var_j + log 2 pi]. Until it is fitted it is
 * the standard normal. Tensors arrive as {@code [n, d...]}; results are float64 tensors allocated from the input's
 * allocator (the caller closes them).
 */
final class @@CLASS@@Model implements Model, LogDensity, Score, Energy, DirectSampling, EmFittable {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final DataInfo data;
    private final int d;
    private final double varianceFloor;
    private double[] mean;
    private double[] variance;

    @@CLASS@@Model(DataInfo data, double varianceFloor) {
        this.data = data;
        this.d = Math.toIntExact(data.dimension());
        this.varianceFloor = varianceFloor;
        this.mean = new double[d];
        this.variance = new double[d];
        java.util.Arrays.fill(variance, 1.0);
    }

    @Override
    public DataInfo data() {
        return data;
    }

    @Override
    public long parameterCount() {
        return 2L * d;
    }

    double[] mean() {
        return mean.clone();
    }

    double[] variance() {
        return variance.clone();
    }

    // ---- LogDensity, Energy, Score

    @Override
    public Tensor logDensity(Tensor x) {
        int n = rows(x);
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double z = x.getDouble((long) i * d + j) - mean[j];
                s += z * z / variance[j] + Math.log(variance[j]) + LOG_2PI;
            }
            out.setDouble(i, -0.5 * s);
        }
        return out;
    }

    /** E(x) = -log p(x): the normalized density is its own energy. */
    @Override
    public Tensor energy(Tensor x) {
        Tensor out = logDensity(x);
        for (long i = 0; i < out.size(); i++) {
            out.setDouble(i, -out.getDouble(i));
        }
        return out;
    }

    @Override
    public Tensor energyGradient(Tensor x) {
        return gradient(x, 1);
    }

    @Override
    public Tensor score(Tensor x) {
        return gradient(x, -1);
    }

    /** sign * (x - mu) / var, shaped like x. */
    private Tensor gradient(Tensor x, double sign) {
        int n = rows(x);
        Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.shape());
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                long k = (long) i * d + j;
                out.setDouble(k, sign * (x.getDouble(k) - mean[j]) / variance[j]);
            }
        }
        return out;
    }

    // ---- DirectSampling

    @Override
    public Tensor sample(int n, Rng rng, BufferAllocator allocator) {
        long[] shape = new long[data.sampleShape().length + 1];
        shape[0] = n;
        System.arraycopy(data.sampleShape(), 0, shape, 1, shape.length - 1);
        Tensor out = Tensor.allocate(allocator, DType.FLOAT32, shape);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                out.setDouble((long) i * d + j, mean[j] + Math.sqrt(variance[j]) * rng.nextGaussian());
            }
        }
        return out;
    }

    // ---- EmFittable: no latent variables, so one M step is the maximum-likelihood fit.

    @Override
    public void initialize(Tensor x, Rng rng) {
        fit(x);
    }

    @Override
    public double emStep(Tensor x) {
        double before;
        try (Tensor lp = logDensity(x)) {
            double s = 0;
            for (long i = 0; i < lp.size(); i++) {
                s += lp.getDouble(i);
            }
            before = s / lp.size();
        }
        fit(x);
        return before;
    }

    private record Parameters(double[] mean, double[] variance) implements EmFittable.Snapshot {
    }

    @Override
    public EmFittable.Snapshot snapshot() {
        return new Parameters(mean.clone(), variance.clone());
    }

    @Override
    public void restore(EmFittable.Snapshot snapshot) {
        if (!(snapshot instanceof Parameters p)) {
            throw new IllegalArgumentException("not a snapshot of a @@NAME@@ model: " + snapshot);
        }
        mean = p.mean().clone();
        variance = p.variance().clone();
    }

    private void fit(Tensor x) {
        int n = rows(x);
        if (n == 0) {
            throw new IllegalArgumentException("cannot fit @@NAME@@ to 0 examples");
        }
        double[] mu = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                mu[j] += x.getDouble((long) i * d + j) / n;
            }
        }
        double[] var = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double z = x.getDouble((long) i * d + j) - mu[j];
                var[j] += z * z / n;
            }
        }
        for (int j = 0; j < d; j++) {
            var[j] = Math.max(var[j], varianceFloor);
        }
        mean = mu;
        variance = var;
    }

    private int rows(Tensor x) {
        if (x.rank() < 1 || x.rowSize() != d) {
            throw new IllegalArgumentException("expected examples of " + d + " values, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        return Math.toIntExact(x.rows());
    }
}
