package org.genbench.model.gmm.internal;

import java.util.List;

/**
 * The {@code precisionsInit} setting: JSON arrays (or Java arrays from a notebook) read into the shape
 * scikit-learn's {@code precisions_init} has for the covariance structure, and checked as scikit-learn's
 * {@code _check_precisions} checks them: the shape, symmetry (numpy's {@code allclose}) and positive definiteness
 * of matrices, positivity of variances' inverses.
 */
final class InitialPrecisions {
    private static final String FIELD = "precisionsInit";

    private InitialPrecisions() {
    }

    /** {@code double[k][d][d]} (full), {@code double[d][d]} (tied), {@code double[k][d]} (diag), {@code double[k]}. */
    static Object parse(Object value, CovarianceType type, int k) {
        String shape = type.shape(k, "d");
        Object parsed = switch (type) {
            case FULL -> {
                double[][][] p = tensor3(value, shape);
                if (p.length != k) {
                    throw new IllegalArgumentException(FIELD + " for covariance 'full' must be shaped " + shape
                            + ", has " + p.length + " matrices");
                }
                for (int j = 0; j < k; j++) {
                    checkMatrix(p[j], FIELD + "[" + j + "]", p[0].length);
                }
                yield p;
            }
            case TIED -> {
                double[][] p = matrix(value, FIELD, shape);
                checkMatrix(p, FIELD, p.length);
                yield p;
            }
            case DIAG -> {
                double[][] p = matrix(value, FIELD, shape);
                if (p.length != k) {
                    throw new IllegalArgumentException(FIELD + " for covariance 'diag' must be shaped " + shape
                            + ", has " + p.length + " rows");
                }
                for (int j = 0; j < k; j++) {
                    if (p[j].length == 0 || p[j].length != p[0].length) {
                        throw new IllegalArgumentException(FIELD + " rows must all have the same number (>= 1) of "
                                + "values; row 0 has " + p[0].length + ", row " + j + " has " + p[j].length);
                    }
                    positive(p[j], FIELD + "[" + j + "]");
                }
                yield p;
            }
            case SPHERICAL -> {
                double[] p = vector(value, FIELD, shape);
                if (p.length != k) {
                    throw new IllegalArgumentException(FIELD + " for covariance 'spherical' must be shaped " + shape
                            + ", has " + p.length + " values");
                }
                positive(p, FIELD);
                yield p;
            }
        };
        return parsed;
    }

    /** Fails unless the parsed precisions fit data of dimension {@code d}. */
    static void checkDimension(Object parsed, CovarianceType type, int d) {
        int has = switch (type) {
            case FULL -> ((double[][][]) parsed)[0].length;
            case TIED -> ((double[][]) parsed).length;
            case DIAG -> ((double[][]) parsed)[0].length;
            case SPHERICAL -> d;
        };
        if (has != d) {
            throw new IllegalArgumentException(FIELD + " is for dimension " + has + ", expected dimension "
                    + d + " (for covariance '" + type.label + "' it is shaped " + type.shape(0, "d").replace("[0]", "[k]")
                    + ")");
        }
    }

    private static void checkMatrix(double[][] m, String name, int d) {
        if (m.length == 0 || m.length != d) {
            throw new IllegalArgumentException(name + " must be a " + d + " x " + d + " matrix, has " + m.length
                    + " rows");
        }
        for (int a = 0; a < d; a++) {
            if (m[a].length != d) {
                throw new IllegalArgumentException(name + " must be a " + d + " x " + d + " matrix; row " + a + " has "
                        + m[a].length + " values");
            }
            for (int b = 0; b < d; b++) {
                if (!Double.isFinite(m[a][b])) {
                    throw new IllegalArgumentException(name + "[" + a + "][" + b + "] must be finite, was " + m[a][b]);
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < a; b++) {
                // numpy.allclose(P, P.T): |x - y| <= 1e-8 + 1e-5 |y|
                if (!(Math.abs(m[a][b] - m[b][a]) <= 1e-8 + 1e-5 * Math.abs(m[b][a]))) {
                    throw new IllegalArgumentException(name + " must be symmetric: [" + a + "][" + b + "]=" + m[a][b]
                            + ", [" + b + "][" + a + "]=" + m[b][a]);
                }
            }
        }
        try {
            GmmParameters.cholesky(0, m, "precision");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be positive definite; it is not", e);
        }
    }

    private static void positive(double[] v, String name) {
        for (int a = 0; a < v.length; a++) {
            if (!(v[a] > 0) || Double.isInfinite(v[a])) {
                throw new IllegalArgumentException(name + "[" + a + "] must be a positive finite precision, was " + v[a]);
            }
        }
    }

    private static double[][][] tensor3(Object value, String shape) {
        if (value instanceof double[][][] t) {
            return CovarianceType.copy(t);
        }
        List<?> list = list(value, FIELD, shape);
        double[][][] out = new double[list.size()][][];
        for (int j = 0; j < out.length; j++) {
            out[j] = matrix(list.get(j), FIELD + "[" + j + "]", shape);
        }
        return out;
    }

    private static double[][] matrix(Object value, String name, String shape) {
        if (value instanceof double[][] m) {
            return CovarianceType.copy(m);
        }
        List<?> list = list(value, name, shape);
        double[][] out = new double[list.size()][];
        for (int a = 0; a < out.length; a++) {
            out[a] = vector(list.get(a), name + "[" + a + "]", shape);
        }
        return out;
    }

    private static double[] vector(Object value, String name, String shape) {
        if (value instanceof double[] v) {
            return v.clone();
        }
        List<?> list = list(value, name, shape);
        double[] out = new double[list.size()];
        for (int a = 0; a < out.length; a++) {
            if (!(list.get(a) instanceof Number n)) {
                throw new IllegalArgumentException(name + "[" + a + "] must be a number, was " + list.get(a)
                        + " (" + FIELD + " is shaped " + shape + ")");
            }
            out[a] = n.doubleValue();
        }
        return out;
    }

    private static List<?> list(Object value, String name, String shape) {
        if (value instanceof List<?> l) {
            return l;
        }
        if (value instanceof Object[] array) {
            return List.of(array);
        }
        throw new IllegalArgumentException(name + " must be an array (" + FIELD + " is shaped " + shape + "), was "
                + value);
    }
}
