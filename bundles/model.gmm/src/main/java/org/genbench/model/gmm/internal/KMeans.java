package org.genbench.model.gmm.internal;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * k-means for initializing a mixture: k-means++ seeding (Arthur and Vassilvitskii 2007, one candidate per
 * centre; scikit-learn's greedy variant tries 2 + ln k and keeps the best) followed by Lloyd iterations.
 */
final class KMeans {
    private KMeans() {
    }

    /**
     * One-hot labels {@code [n, k]} (float64, registered in {@code scratch}) consistent with the final centres.
     * Lloyd stops early once no label changes. A centre that loses all its points stays where it was.
     */
    static INDArray hardResponsibilities(INDArray x, int k, int iterations, Rng rng, Scratch scratch) {
        int n = Math.toIntExact(x.rows());
        double[][] centers = seed(x, k, rng, scratch);
        int[] labels = assign(x, centers, scratch);
        for (int it = 0; it < iterations; it++) {
            centers = update(x, labels, centers, scratch);
            int[] next = assign(x, centers, scratch);
            if (Arrays.equals(next, labels)) {
                break;
            }
            labels = next;
        }
        double[] oneHot = new double[Math.multiplyExact(n, k)];
        for (int i = 0; i < n; i++) {
            oneHot[i * k + labels[i]] = 1;
        }
        return scratch.add(Nd4j.create(oneHot, new long[] {n, k}, DataType.DOUBLE));
    }

    static double[][] seed(INDArray x, int k, Rng rng, Scratch scratch) {
        int n = Math.toIntExact(x.rows());
        double[][] centers = new double[k][];
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        centers[0] = x.getRow(rng.nextInt(n)).toDoubleVector();
        for (int c = 1; c < k; c++) {
            double[] d2 = squaredDistances(x, centers[c - 1], scratch);
            double total = 0;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], d2[i]);
                total += nearest[i];
            }
            int pick;
            if (total > 0 && Double.isFinite(total)) {
                double u = rng.nextDouble() * total;
                pick = n - 1;
                double cumulative = 0;
                for (int i = 0; i < n; i++) {
                    cumulative += nearest[i];
                    if (u < cumulative) {
                        pick = i;
                        break;
                    }
                }
            } else {
                // Every point coincides with a centre already: any choice is as good as another.
                pick = rng.nextInt(n);
            }
            centers[c] = x.getRow(pick).toDoubleVector();
        }
        return centers;
    }

    private static double[] squaredDistances(INDArray x, double[] center, Scratch scratch) {
        INDArray c = scratch.add(Nd4j.create(center, new long[] {1, center.length}, DataType.DOUBLE));
        INDArray diff = scratch.add(x.subRowVector(c));
        diff.muli(diff);
        INDArray sums = scratch.add(diff.sum(1));
        double[] out = sums.toDoubleVector();
        scratch.free(sums);
        scratch.free(diff);
        scratch.free(c);
        return out;
    }

    /** Nearest centre per point, from |c|^2 - 2 x.c (|x|^2 is the same for every centre). */
    private static int[] assign(INDArray x, double[][] centers, Scratch scratch) {
        int k = centers.length;
        int d = centers[0].length;
        double[] flat = new double[k * d];
        double[] norms = new double[k];
        for (int c = 0; c < k; c++) {
            for (int a = 0; a < d; a++) {
                flat[c * d + a] = centers[c][a];
                norms[c] += centers[c][a] * centers[c][a];
            }
        }
        INDArray cs = scratch.add(Nd4j.create(flat, new long[] {k, d}, DataType.DOUBLE));
        INDArray cn = scratch.add(Nd4j.create(norms, new long[] {1, k}, DataType.DOUBLE));
        INDArray dist = scratch.add(Nd4j.gemm(x, cs, false, true));
        dist.muli(-2).addiRowVector(cn);
        INDArray idx = scratch.add(Nd4j.argMin(dist, 1));
        int[] labels = idx.toIntVector();
        scratch.free(idx);
        scratch.free(dist);
        scratch.free(cn);
        scratch.free(cs);
        return labels;
    }

    private static double[][] update(INDArray x, int[] labels, double[][] old, Scratch scratch) {
        int k = old.length;
        int d = old[0].length;
        int n = labels.length;
        double[] oneHot = new double[Math.multiplyExact(n, k)];
        double[] counts = new double[k];
        for (int i = 0; i < n; i++) {
            oneHot[i * k + labels[i]] = 1;
            counts[labels[i]]++;
        }
        INDArray r = scratch.add(Nd4j.create(oneHot, new long[] {n, k}, DataType.DOUBLE));
        INDArray sums = scratch.add(Nd4j.gemm(r, x, true, false));
        double[][] s = sums.toDoubleMatrix();
        scratch.free(sums);
        scratch.free(r);
        double[][] centers = new double[k][d];
        for (int c = 0; c < k; c++) {
            for (int a = 0; a < d; a++) {
                centers[c][a] = counts[c] > 0 ? s[c][a] / counts[c] : old[c][a];
            }
        }
        return centers;
    }
}
