package org.genbench.model.gmm.internal;

import java.util.Arrays;
import java.util.List;

/**
 * scikit-learn's {@code covariance_type}. Every structure is stored the same way, as blocks: {@code full} k blocks
 * of d x d, {@code tied} one d x d block shared by all components, {@code diag} k blocks of 1 x d (the variances),
 * {@code spherical} k blocks of 1 x 1 (one variance per component).
 */
enum CovarianceType {
    FULL("full"), TIED("tied"), DIAG("diag"), SPHERICAL("spherical");

    static final List<String> NAMES = Arrays.stream(values()).map(t -> t.label).toList();

    final String label;

    CovarianceType(String label) {
        this.label = label;
    }

    static CovarianceType of(String name) {
        for (CovarianceType t : values()) {
            if (t.label.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("covariance must be one of " + NAMES + ", was '" + name + "'");
    }

    /** True for the types whose blocks are matrices (a Cholesky factor), false for variance vectors. */
    boolean isMatrix() {
        return this == FULL || this == TIED;
    }

    int blocks(int k) {
        return this == TIED ? 1 : k;
    }

    /** The block component {@code j} uses. */
    int block(int j) {
        return this == TIED ? 0 : j;
    }

    /** The shape scikit-learn gives {@code covariances_} and {@code precisions_init}, for messages. */
    String shape(int k, String d) {
        return switch (this) {
            case FULL -> "[" + k + "][" + d + "][" + d + "]";
            case TIED -> "[" + d + "][" + d + "]";
            case DIAG -> "[" + k + "][" + d + "]";
            case SPHERICAL -> "[" + k + "]";
        };
    }

    /** scikit-learn's {@code _n_parameters} for this structure. */
    long parameterCount(int k, int d) {
        long cov = switch (this) {
            case FULL -> (long) k * d * (d + 1) / 2;
            case TIED -> (long) d * (d + 1) / 2;
            case DIAG -> (long) k * d;
            case SPHERICAL -> k;
        };
        return cov + (long) k * d + k - 1;
    }

    /**
     * Blocks from the shape a user or scikit-learn writes: full {@code double[k][d][d]}, tied {@code double[d][d]},
     * diag {@code double[k][d]}, spherical {@code double[k]}.
     */
    double[][][] toBlocks(Object natural) {
        return switch (this) {
            case FULL -> copy((double[][][]) natural);
            case TIED -> new double[][][] {copy((double[][]) natural)};
            case DIAG -> {
                double[][] v = (double[][]) natural;
                double[][][] b = new double[v.length][][];
                for (int j = 0; j < v.length; j++) {
                    b[j] = new double[][] {v[j].clone()};
                }
                yield b;
            }
            case SPHERICAL -> {
                double[] v = (double[]) natural;
                double[][][] b = new double[v.length][][];
                for (int j = 0; j < v.length; j++) {
                    b[j] = new double[][] {{v[j]}};
                }
                yield b;
            }
        };
    }

    /** The inverse of {@link #toBlocks}. */
    Object fromBlocks(double[][][] blocks) {
        return switch (this) {
            case FULL -> copy(blocks);
            case TIED -> copy(blocks[0]);
            case DIAG -> {
                double[][] v = new double[blocks.length][];
                for (int j = 0; j < blocks.length; j++) {
                    v[j] = blocks[j][0].clone();
                }
                yield v;
            }
            case SPHERICAL -> {
                double[] v = new double[blocks.length];
                for (int j = 0; j < blocks.length; j++) {
                    v[j] = blocks[j][0][0];
                }
                yield v;
            }
        };
    }

    static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int a = 0; a < m.length; a++) {
            c[a] = m[a].clone();
        }
        return c;
    }

    static double[][][] copy(double[][][] t) {
        double[][][] c = new double[t.length][][];
        for (int a = 0; a < t.length; a++) {
            c[a] = copy(t[a]);
        }
        return c;
    }
}
