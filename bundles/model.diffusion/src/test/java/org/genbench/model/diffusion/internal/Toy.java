package org.genbench.model.diffusion.internal;

import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/**
 * A 2-D mixture of four Gaussians with known density and labels (the component), for training tests: exact draws,
 * exact log-density, and the energy distance between sample sets.
 */
final class Toy {
    static final double[][] MEANS = {{-2, -1}, {2, -1}, {0, 2}, {-0.5, 0.5}};
    static final double[] SDS = {0.3, 0.4, 0.35, 0.2};
    static final double[] WEIGHTS = {0.3, 0.3, 0.25, 0.15};
    static final DataInfo INFO = new DataInfo("four-gaussians", new long[] {2}, DataInfo.CONTINUOUS, 4, "test");

    private Toy() {
    }

    /** n points (x, then the component) from rng. */
    static double[][] draw(int n, Rng rng) {
        double[] x = new double[2 * n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            double u = rng.nextDouble();
            int k = 0;
            double acc = WEIGHTS[0];
            while (u > acc && k < 3) {
                acc += WEIGHTS[++k];
            }
            c[i] = k;
            x[2 * i] = MEANS[k][0] + SDS[k] * rng.nextGaussian();
            x[2 * i + 1] = MEANS[k][1] + SDS[k] * rng.nextGaussian();
        }
        return new double[][] {x, c};
    }

    static Batch batch(double[][] drawn, BufferAllocator allocator) {
        int n = drawn[1].length;
        Tensor x = Tensor.allocate(allocator, DType.FLOAT32, n, 2);
        Tensor label = Tensor.allocate(allocator, DType.INT32, n);
        for (int i = 0; i < 2 * n; i++) {
            x.setDouble(i, drawn[0][i]);
        }
        for (int i = 0; i < n; i++) {
            label.setDouble(i, drawn[1][i]);
        }
        return new Batch(Map.of(Batch.X, x, Batch.LABEL, label));
    }

    static double logDensity(double x, double y) {
        double s = 0;
        for (int k = 0; k < 4; k++) {
            double v = SDS[k] * SDS[k];
            double dx = x - MEANS[k][0];
            double dy = y - MEANS[k][1];
            s += WEIGHTS[k] / (2 * Math.PI * v) * Math.exp(-(dx * dx + dy * dy) / (2 * v));
        }
        return Math.log(s);
    }

    /** sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|), V-statistics (scipy's convention). */
    static double energyDistance(double[] a, double[] b) {
        return Math.sqrt(Math.max(0, 2 * mean(a, b) - mean(a, a) - mean(b, b)));
    }

    private static double mean(double[] a, double[] b) {
        int na = a.length / 2;
        int nb = b.length / 2;
        double s = 0;
        for (int i = 0; i < na; i++) {
            for (int j = 0; j < nb; j++) {
                double dx = a[2 * i] - b[2 * j];
                double dy = a[2 * i + 1] - b[2 * j + 1];
                s += Math.sqrt(dx * dx + dy * dy);
            }
        }
        return s / ((double) na * nb);
    }

    static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
