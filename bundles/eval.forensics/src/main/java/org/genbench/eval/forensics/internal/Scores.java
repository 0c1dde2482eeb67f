package org.genbench.eval.forensics.internal;

import java.util.Arrays;

/** Threshold-free and thresholded measures of a detector's scores; label 1 = generated (the positive class). */
final class Scores {
    private Scores() {
    }

    /**
     * Average precision as scikit-learn's {@code average_precision_score} defines it: sum over distinct score
     * thresholds, from high to low, of (R_k - R_(k-1)) P_k, with tied scores forming one threshold (no
     * interpolation).
     */
    static double averagePrecision(double[] scores, int[] labels) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        int positives = 0;
        for (int l : labels) {
            positives += l;
        }
        if (positives == 0) {
            return Double.NaN;
        }
        double ap = 0;
        int tp = 0;
        int seen = 0;
        double previousRecall = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && scores[order[j]] == scores[order[i]]) {
                tp += labels[order[j]];
                seen++;
                j++;
            }
            double recall = (double) tp / positives;
            double precision = (double) tp / seen;
            ap += (recall - previousRecall) * precision;
            previousRecall = recall;
            i = j;
        }
        return ap;
    }

    /** Share of examples on the right side of {@code threshold} (score above it means generated). */
    static double accuracy(double[] scores, int[] labels, double threshold) {
        int right = 0;
        for (int i = 0; i < scores.length; i++) {
            right += (scores[i] > threshold ? 1 : 0) == labels[i] ? 1 : 0;
        }
        return (double) right / scores.length;
    }
}
