package org.genbench.eval.distance.internal;

/** The energy distance between two sample sets in R^d (rows of d values). */
final class EnergyDistance {
    private EnergyDistance() {
    }

    /**
     * sqrt(2 E|X - Y| - E|X - X'| - E|Y - Y'|) with Euclidean norms over every pair (V-statistics; Szekely and Rizzo
     * 2013), as {@code scipy.stats.energy_distance} in one dimension. O(n m d).
     */
    static double of(double[] x, double[] y, int d) {
        if (d < 1 || x.length % d != 0 || y.length % d != 0 || x.length == 0 || y.length == 0) {
            throw new IllegalArgumentException("two non-empty sets of rows of " + d + " values, got " + x.length + " and "
                    + y.length + " values");
        }
        return Math.sqrt(Math.max(0, 2 * mean(x, y, d) - mean(x, x, d) - mean(y, y, d)));
    }

    private static double mean(double[] a, double[] b, int d) {
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
