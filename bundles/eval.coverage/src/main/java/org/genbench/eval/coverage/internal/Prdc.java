package org.genbench.eval.coverage.internal;

import org.genbench.vision.Neighbours;

/**
 * Improved precision and recall (Kynkaenniemi et al. 2019) and density and coverage (Naeem et al. 2020) of generated
 * features against real ones, as the authors' {@code prdc} package computes them. Each set's manifold is the union of
 * balls around its points whose radius is the distance to the point's k-th nearest neighbour in the same set (the
 * point itself excluded); "inside" is strictly closer than the radius.
 * <ul>
 * <li>precision: the fraction of generated points inside the real manifold (samples that look real);</li>
 * <li>recall: the fraction of real points inside the generated manifold (how much of the data the samples reach);</li>
 * <li>density: the mean number of real balls a generated point falls in, over k (1 when samples are distributed as
 * the data; above 1 when they crowd where the data is densest; robust to real outliers, unlike precision);</li>
 * <li>coverage: the fraction of real points whose own ball holds at least one generated point.</li>
 * </ul>
 */
final class Prdc {
    record Result(double precision, double recall, double density, double coverage, double[] realRadii,
                  double[] outsideRatio) {
    }

    private Prdc() {
    }

    /**
     * The four numbers for real and generated rows (row-major, {@code d} values each). {@code outsideRatio[j]} is
     * generated point j's {@code min_r d(j, r) / radius_r}: below 1 inside the real manifold, the larger the further
     * outside it (what the least-typical picture sorts by).
     */
    static Result compute(double[] real, double[] fake, int d, int k) {
        int n = real.length / d;
        int m = fake.length / d;
        double[] realRadii = Neighbours.kthNeighbourDistances(real, d, k);
        double[] fakeRadii = Neighbours.kthNeighbourDistances(fake, d, k);
        int[] realBallsHolding = new int[m]; // per generated point: real balls it is inside
        boolean[] realInGenerated = new boolean[n];
        boolean[] realCovered = new boolean[n];
        double[] outside = new double[m];
        java.util.Arrays.fill(outside, Double.POSITIVE_INFINITY);
        Neighbours.squaredDistances(real, fake, d, (from, rows, d2) -> {
            for (int r = 0; r < rows; r++) {
                int i = from + r;
                double radius = realRadii[i];
                for (int j = 0; j < m; j++) {
                    double dist2 = d2[r * m + j];
                    // compare distances, not squares, so that ties break as in the reference's sqrt'ed matrix
                    double dist = Math.sqrt(dist2);
                    if (dist < radius) {
                        realBallsHolding[j]++;
                        realCovered[i] = true;
                    }
                    if (dist < fakeRadii[j]) {
                        realInGenerated[i] = true;
                    }
                    double ratio = radius > 0 ? dist / radius : (dist > 0 ? Double.POSITIVE_INFINITY : 0);
                    if (ratio < outside[j]) {
                        outside[j] = ratio;
                    }
                }
            }
        });
        int precise = 0;
        long holding = 0;
        for (int j = 0; j < m; j++) {
            precise += realBallsHolding[j] > 0 ? 1 : 0;
            holding += realBallsHolding[j];
        }
        int recalled = 0;
        int covered = 0;
        for (int i = 0; i < n; i++) {
            recalled += realInGenerated[i] ? 1 : 0;
            covered += realCovered[i] ? 1 : 0;
        }
        return new Result((double) precise / m, (double) recalled / n, (double) holding / ((double) k * m),
                (double) covered / n, realRadii, outside);
    }
}
