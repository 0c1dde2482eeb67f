package org.genbench.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;

/** Blocked BLAS distances against a plain double loop, over more rows than one block. */
class NeighboursTest {
    private static double[] points(Rng rng, int n, int d) {
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian() + (i % d == 0 ? 3 * (i / d % 4) : 0);
        }
        return x;
    }

    private static double distance(double[] a, int i, double[] b, int j, int d) {
        double s = 0;
        for (int k = 0; k < d; k++) {
            double v = a[i * d + k] - b[j * d + k];
            s += v * v;
        }
        return Math.sqrt(s);
    }

    @Test
    void kthNeighbourDistancesMatchBruteForce() {
        int n = 700;
        int d = 6;
        double[] x = points(new Rng(1), n, d);
        for (int k : new int[] {1, 3, 5}) {
            double[] radii = Neighbours.kthNeighbourDistances(x, d, k);
            for (int i = 0; i < n; i++) {
                double[] others = new double[n - 1];
                int m = 0;
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        others[m++] = distance(x, i, x, j, d);
                    }
                }
                Arrays.sort(others);
                assertEquals(others[k - 1], radii[i], 1e-9, "point " + i + ", k " + k);
            }
        }
    }

    @Test
    void nearestRowsMatchBruteForce() {
        int d = 3;
        double[] x = points(new Rng(2), 600, d);
        double[] q = points(new Rng(3), 40, d);
        Neighbours.Result r = Neighbours.nearest(q, x, d, 4);
        for (int i = 0; i < 40; i++) {
            Integer[] order = new Integer[600];
            for (int j = 0; j < 600; j++) {
                order[j] = j;
            }
            final int qi = i;
            Arrays.sort(order, (a, b) -> Double.compare(distance(q, qi, x, a, d), distance(q, qi, x, b, d)));
            for (int j = 0; j < 4; j++) {
                assertEquals(order[j], r.index()[i][j], "query " + i + " neighbour " + j);
                assertEquals(distance(q, i, x, order[j], d), r.distance()[i][j], 1e-9);
            }
        }
    }

    @Test
    void aPointIsAtDistanceZeroFromItsCopy() {
        double[] x = {0, 0, 1e4, 1e4, 1e4 + 1, 1e4};
        // the copy of a far point: rounding in |a|^2 + |b|^2 - 2ab must not give it a positive distance
        double[] radii = Neighbours.kthNeighbourDistances(new double[] {1e4, 1e4, 1e4, 1e4, 0, 0}, 2, 1);
        assertArrayEquals(new double[] {0, 0, Math.sqrt(2e8)}, radii, 1e-3);
        assertEquals(1.0, Neighbours.nearest(new double[] {1e4 + 1, 1e4}, x, 2, 2).distance()[0][1], 1e-6);
    }

    @Test
    void kthSmallestSelects() {
        Rng rng = new Rng(4);
        for (int trial = 0; trial < 50; trial++) {
            double[] v = new double[1 + rng.nextInt(40)];
            for (int i = 0; i < v.length; i++) {
                v[i] = rng.nextInt(7);
            }
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            int k = rng.nextInt(v.length);
            assertEquals(sorted[k], Neighbours.kthSmallest(v.clone(), k));
        }
    }

    @Test
    void kOutsideTheSetIsRefusedWithTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Neighbours.kthNeighbourDistances(new double[] {0, 1, 2}, 1, 3));
        assertEquals("k must be in 1..2 for 3 points, was 3", e.getMessage());
    }
}
