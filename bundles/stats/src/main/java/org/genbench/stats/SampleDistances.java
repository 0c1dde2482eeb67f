package org.genbench.stats;

/** Distances between two sample sets in R^d, given as rows of {@code d} values. */
public final class SampleDistances {
    private SampleDistances() {
    }

    /**
     * The energy distance of the two empirical distributions (Székely and Rizzo 2013),
     * sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|) with Euclidean norms and every pair counted (V-statistics), as
     * {@code scipy.stats.energy_distance} in one dimension. Zero exactly when the two sets are the same multiset; for
     * independent samples of one distribution it shrinks like n^(-1/2). O(n^2 d).
     */
    public static double energyDistance(double[] x, double[] y, int d) {
        if (d < 1 || x.length % d != 0 || y.length % d != 0 || x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("two non-empty sets of rows of " + d + " values, got " + x.length
                    + " and " + y.length + " values");
        }
        double xy = meanDistance(x, y, d);
        double xx = meanDistance(x, x, d);
        double yy = meanDistance(y, y, d);
        return Math.sqrt(Math.max(0, 2 * xy - xx - yy));
    }

    private static double meanDistance(double[] a, double[] b, int d) {
        int n = a.length / d;
        int m = b.length / d;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    double z = a[i * d + k] - b[j * d + k];
                    s += z * z;
                }
                row += Math.sqrt(s);
            }
            sum += row;
        }
        return sum / ((double) n * m);
    }
}
