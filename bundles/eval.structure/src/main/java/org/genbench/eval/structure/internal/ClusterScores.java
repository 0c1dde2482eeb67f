package org.genbench.eval.structure.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Agreement between a clustering and the labels, as scikit-learn computes it: the adjusted Rand index (Hubert and
 * Arabie 1985; 1 for identical partitions up to renaming, about 0 for independent ones) and the normalized mutual
 * information with the arithmetic-mean normalization (sklearn's default; 1 identical, 0 independent). Both are
 * invariant to renaming clusters and allow any number of clusters.
 */
final class ClusterScores {
    private ClusterScores() {
    }

    /** The contingency table's counts by (label, cluster), with the marginals. */
    private record Table(Map<Long, Long> cells, Map<Integer, Long> rows, Map<Integer, Long> columns, long n) {
        static Table of(int[] labels, int[] clusters) {
            if (labels.length != clusters.length) {
                throw new IllegalArgumentException(labels.length + " labels but " + clusters.length + " assignments");
            }
            Map<Long, Long> cells = new HashMap<>();
            Map<Integer, Long> rows = new HashMap<>();
            Map<Integer, Long> columns = new HashMap<>();
            for (int i = 0; i < labels.length; i++) {
                cells.merge(((long) labels[i] << 32) | (clusters[i] & 0xffffffffL), 1L, Long::sum);
                rows.merge(labels[i], 1L, Long::sum);
                columns.merge(clusters[i], 1L, Long::sum);
            }
            return new Table(cells, rows, columns, labels.length);
        }
    }

    private static double pairs(long m) {
        return m * (m - 1) / 2.0;
    }

    static double adjustedRandIndex(int[] labels, int[] clusters) {
        Table t = Table.of(labels, clusters);
        double sumCells = t.cells().values().stream().mapToDouble(ClusterScores::pairs).sum();
        double sumRows = t.rows().values().stream().mapToDouble(ClusterScores::pairs).sum();
        double sumColumns = t.columns().values().stream().mapToDouble(ClusterScores::pairs).sum();
        double all = pairs(t.n());
        // sklearn's special case: every pair treated alike by both partitions (one cluster each, or all singletons)
        double disagreements = (sumRows - sumCells) + (sumColumns - sumCells);
        if (disagreements == 0) {
            return 1.0;
        }
        double expected = sumRows * sumColumns / all;
        double max = (sumRows + sumColumns) / 2;
        return (sumCells - expected) / (max - expected);
    }

    static double normalizedMutualInformation(int[] labels, int[] clusters) {
        Table t = Table.of(labels, clusters);
        if (t.rows().size() == t.columns().size() && (t.rows().size() == 1 || t.rows().isEmpty())) {
            return 1.0; // sklearn: both partitions trivial
        }
        double n = t.n();
        double mi = 0;
        for (Map.Entry<Long, Long> e : t.cells().entrySet()) {
            int label = (int) (e.getKey() >> 32);
            int cluster = (int) (long) e.getKey();
            double nij = e.getValue();
            mi += nij / n * Math.log(n * nij / ((double) t.rows().get(label) * t.columns().get(cluster)));
        }
        mi = Math.max(mi, 0);
        if (mi == 0) {
            return 0.0;
        }
        double normalizer = (entropy(t.rows(), n) + entropy(t.columns(), n)) / 2;
        return mi / Math.max(normalizer, Math.ulp(1.0));
    }

    private static double entropy(Map<Integer, Long> counts, double n) {
        double h = 0;
        for (long c : counts.values()) {
            double p = c / n;
            h -= p * Math.log(p);
        }
        return h;
    }
}
