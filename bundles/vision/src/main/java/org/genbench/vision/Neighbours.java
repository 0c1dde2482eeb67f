package org.genbench.vision;

import java.util.Arrays;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;

/**
 * Euclidean nearest neighbours between sets of feature vectors (rows of row-major float64 arrays), in blocks of rows
 * so that a 10k x 10k comparison never holds the whole distance matrix. Squared distances are
 * {@code |a|^2 + |b|^2 - 2 a.b} with the products on BLAS (nn's matmul), clamped at 0; a point's distance to itself is
 * taken as exactly 0.
 */
public final class Neighbours {
    /** Rows of the first set per block. */
    static final int BLOCK = 512;

    /** Receives squared distances of rows {@code [from, from + rows)} of the first set to every row of the second. */
    @FunctionalInterface
    public interface BlockConsumer {
        /** {@code d2[r * m + j]}: squared distance of first-set row {@code from + r} to second-set row j. */
        void accept(int from, int rows, double[] d2);
    }

    private Neighbours() {
    }

    /** Calls {@code consumer} with every block of squared distances between rows of {@code a} and rows of {@code b}. */
    public static void squaredDistances(double[] a, double[] b, int d, BlockConsumer consumer) {
        int n = rows(a, d);
        int m = rows(b, d);
        double[] bNorms = norms(b, d);
        NdArray bArray = NdArray.wrap(b, m, d);
        for (int from = 0; from < n; from += BLOCK) {
            int rows = Math.min(BLOCK, n - from);
            double[] block = Arrays.copyOfRange(a, from * d, (from + rows) * d);
            double[] aNorms = norms(block, d);
            double[] d2 = new double[rows * m];
            try (Scope s = Scope.open(); Scope ng = Scope.noGrad()) {
                NdArray dot = F.matmul(NdArray.wrap(block, rows, d), bArray, false, true);
                double[] dots = dot.d();
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < m; j++) {
                        double v = aNorms[r] + bNorms[j] - 2 * dots[r * m + j];
                        d2[r * m + j] = v > 0 ? v : 0;
                    }
                }
            }
            consumer.accept(from, rows, d2);
        }
    }

    /**
     * The distance of every row of {@code x} to its k-th nearest other row of {@code x} (itself excluded): the radius
     * of the k-NN ball that precision/recall and density/coverage use.
     */
    public static double[] kthNeighbourDistances(double[] x, int d, int k) {
        int n = rows(x, d);
        if (k < 1 || k >= n) {
            throw new IllegalArgumentException("k must be in 1.." + (n - 1) + " for " + n + " points, was " + k);
        }
        double[] out = new double[n];
        squaredDistances(x, x, d, (from, rows, d2) -> {
            double[] row = new double[n];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(d2, r * n, row, 0, n);
                row[from + r] = 0; // itself, exactly
                // the (k+1)-th smallest including itself at 0 is the k-th nearest other point
                out[from + r] = Math.sqrt(kthSmallest(row, k));
            }
        });
        return out;
    }

    /**
     * For every row of {@code queries}, the indices of its {@code k} nearest rows of {@code x}, nearest first (ties by
     * index), and their distances.
     */
    public static Result nearest(double[] queries, double[] x, int d, int k) {
        int nq = rows(queries, d);
        int n = rows(x, d);
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1.." + n + ", was " + k);
        }
        int[][] index = new int[nq][];
        double[][] distance = new double[nq][];
        squaredDistances(queries, x, d, (from, rows, d2) -> {
            for (int r = 0; r < rows; r++) {
                int base = r * n;
                Integer[] order = new Integer[n];
                for (int j = 0; j < n; j++) {
                    order[j] = j;
                }
                // partial selection would be faster; k-NN of a few hundred queries is not the hot path
                Arrays.sort(order, (p, q) -> {
                    int c = Double.compare(d2[base + p], d2[base + q]);
                    return c != 0 ? c : Integer.compare(p, q);
                });
                index[from + r] = new int[k];
                distance[from + r] = new double[k];
                for (int j = 0; j < k; j++) {
                    index[from + r][j] = order[j];
                    distance[from + r][j] = Math.sqrt(d2[base + order[j]]);
                }
            }
        });
        return new Result(index, distance);
    }

    /** The distance of every row of {@code queries} to its nearest row of {@code x}. */
    public static double[] nearestDistances(double[] queries, double[] x, int d) {
        int n = rows(x, d);
        double[] out = new double[rows(queries, d)];
        squaredDistances(queries, x, d, (from, rows, d2) -> {
            for (int r = 0; r < rows; r++) {
                double best = Double.POSITIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    best = Math.min(best, d2[r * n + j]);
                }
                out[from + r] = Math.sqrt(best);
            }
        });
        return out;
    }

    /** Nearest neighbours of queries: {@code index[q][j]} is query q's j-th nearest row, at {@code distance[q][j]}. */
    public record Result(int[][] index, double[][] distance) {
    }

    /** The k-th smallest value (k = 0 is the minimum) of {@code values}, which it reorders. */
    static double kthSmallest(double[] values, int k) {
        int lo = 0;
        int hi = values.length - 1;
        while (lo < hi) {
            double pivot = values[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (values[i] < pivot) {
                    i++;
                }
                while (values[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = values[i];
                    values[i] = values[j];
                    values[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return values[k];
            }
        }
        return values[k];
    }

    private static double[] norms(double[] x, int d) {
        int n = x.length / d;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                s += v * v;
            }
            out[i] = s;
        }
        return out;
    }

    private static int rows(double[] x, int d) {
        if (d < 1 || x.length % d != 0) {
            throw new IllegalArgumentException(x.length + " values are not rows of " + d);
        }
        return x.length / d;
    }
}
