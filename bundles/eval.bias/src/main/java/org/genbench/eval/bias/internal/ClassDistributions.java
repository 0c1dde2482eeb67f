package org.genbench.eval.bias.internal;

/** Distances between class distributions (probability vectors over the same classes). */
final class ClassDistributions {
    private ClassDistributions() {
    }

    /** Shares of each class among {@code labels}. */
    static double[] shares(int[] labels, int classes) {
        double[] p = new double[classes];
        for (int y : labels) {
            p[y]++;
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= labels.length;
        }
        return p;
    }

    /** Total variation: half the L1 distance, in [0, 1]. */
    static double totalVariation(double[] p, double[] q) {
        double s = 0;
        for (int c = 0; c < p.length; c++) {
            s += Math.abs(p[c] - q[c]);
        }
        return s / 2;
    }

    /**
     * KL(p || q) in nats, with q estimated from {@code n} labels and smoothed by adding {@code alpha} to every class
     * count (Jeffreys' 1/2), so that a class the samples never show costs a large but finite amount.
     */
    static double klSmoothed(double[] p, double[] q, int n, double alpha) {
        int k = p.length;
        double s = 0;
        for (int c = 0; c < k; c++) {
            if (p[c] > 0) {
                double qc = (q[c] * n + alpha) / (n + alpha * k);
                s += p[c] * Math.log(p[c] / qc);
            }
        }
        return s;
    }

    /**
     * How the samples' skew relates to the training skew, both measured from a reference distribution t (the
     * unskewed test split): the least-squares slope of (q - t) on (p - t) over classes. 1: the model reproduces its
     * training skew; above 1: it amplifies it; 0: its output is as balanced as the reference; below 0: reversed.
     * NaN when the training set is not skewed (p = t).
     */
    static double amplification(double[] p, double[] q, double[] t) {
        double num = 0;
        double den = 0;
        for (int c = 0; c < p.length; c++) {
            double a = p[c] - t[c];
            num += (q[c] - t[c]) * a;
            den += a * a;
        }
        return den > 0 ? num / den : Double.NaN;
    }

    /**
     * The total variation two independent samples of sizes n1 and n2 from distribution t show on average (normal
     * approximation: E|p1_c - p2_c| = sqrt(2 t_c (1 - t_c) (1/n1 + 1/n2) / pi), summed over classes and halved).
     */
    static double samplingTv(double[] t, int n1, int n2) {
        double s = 0;
        for (double tc : t) {
            s += Math.sqrt(2 * tc * (1 - tc) * (1.0 / n1 + 1.0 / n2) / Math.PI);
        }
        return s / 2;
    }
}
