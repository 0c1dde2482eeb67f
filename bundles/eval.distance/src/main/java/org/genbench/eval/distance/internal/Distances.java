package org.genbench.eval.distance.internal;

import java.util.Arrays;

/** Two-sample distances between sample sets in R^d (rows of d values). */
final class Distances {
    private Distances() {
    }

    /**
     * The energy distance sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|) with Euclidean norms over every pair (V-statistics;
     * Szekely and Rizzo 2013), as {@code scipy.stats.energy_distance} in one dimension. O(n m d).
     */
    static double energy(double[] x, double[] y, int d) {
        check(x, y, d);
        return Math.sqrt(Math.max(0, 2 * mean(x, y, d, -1) - mean(x, x, d, -1) - mean(y, y, d, -1)));
    }

    /**
     * The maximum mean discrepancy with the Gaussian kernel exp(-|x - y|^2 / (2 h^2)) (Gretton et al. 2012), the
     * square root of its V-statistic E k(X, X') + E k(Y, Y') - 2 E k(X, Y). O(n m d).
     */
    static double mmd(double[] x, double[] y, int d, double bandwidth) {
        check(x, y, d);
        if (!(bandwidth > 0) || Double.isInfinite(bandwidth)) {
            throw new IllegalArgumentException("bandwidth must be finite and > 0, was " + bandwidth);
        }
        return Math.sqrt(Math.max(0, mean(x, x, d, bandwidth) + mean(y, y, d, bandwidth) - 2 * mean(x, y, d, bandwidth)));
    }

    /** The median of the Euclidean distances between distinct rows of x (the kernel bandwidth's usual scale). */
    static double medianDistance(double[] x, int d) {
        int n = x.length / d;
        if (n < 2) {
            throw new IllegalArgumentException("the median distance needs two rows, got " + n);
        }
        double[] all = new double[n * (n - 1) / 2];
        int c = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                all[c++] = Math.sqrt(squared(x, i, x, j, d));
            }
        }
        Arrays.sort(all);
        return all.length % 2 == 1 ? all[all.length / 2] : 0.5 * (all[all.length / 2 - 1] + all[all.length / 2]);
    }

    private static void check(double[] x, double[] y, int d) {
        if (d < 1 || x.length % d != 0 || y.length % d != 0 || x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("two non-empty sets of rows of " + d + " values, got " + x.length + " and "
                    + y.length + " values");
        }
    }

    private static double squared(double[] a, int i, double[] b, int j, int d) {
        double s = 0;
        for (int k = 0; k < d; k++) {
            double z = a[i * d + k] - b[j * d + k];
            s += z * z;
        }
        return s;
    }

    /** Mean over all pairs of |a_i - b_j| (bandwidth < 0) or of the Gaussian kernel. */
    private static double mean(double[] a, double[] b, int d, double bandwidth) {
        int n = a.length / d;
        int m = b.length / d;
        double c = bandwidth > 0 ? -1 / (2 * bandwidth * bandwidth) : 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < m; j++) {
                double s = squared(a, i, b, j, d);
                row += bandwidth > 0 ? Math.exp(c * s) : Math.sqrt(s);
            }
            sum += row;
        }
        return sum / ((double) n * m);
    }
}
