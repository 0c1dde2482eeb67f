package org.genbench.eval.likelihood.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.DataInfo;
import org.genbench.api.LogDensity;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;

/** Models whose log densities are known in closed form. */
final class TestModels {
    private TestModels() {
    }

    static double standardNormalLogPdf(double[] row) {
        double sq = 0;
        for (double v : row) {
            sq += v * v;
        }
        return -0.5 * sq - 0.5 * row.length * Math.log(2 * Math.PI);
    }

    abstract static class Base implements Model {
        final DataInfo info;
        int calls;
        long largestBatch;
        long rowsSeen;

        Base(DataInfo info) {
            this.info = info;
        }

        @Override
        public DataInfo data() {
            return info;
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        abstract double logPdf(double[] row);

        Tensor evaluate(Tensor x) {
            calls++;
            largestBatch = Math.max(largestBatch, x.rows());
            rowsSeen += x.rows();
            int n = (int) x.rows();
            int d = (int) x.rowSize();
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, n);
            double[] row = new double[d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    row[j] = x.get(i, j);
                }
                out.setDouble(i, logPdf(row));
            }
            return out;
        }
    }

    /** N(0, I). */
    static class StandardNormal extends Base implements LogDensity {
        StandardNormal(DataInfo info) {
            super(info);
        }

        @Override
        double logPdf(double[] row) {
            return standardNormalLogPdf(row);
        }

        @Override
        public Tensor logDensity(Tensor x) {
            return evaluate(x);
        }
    }

    /** A "bound" that sits a fixed 0.5 nats below the standard normal's log density. */
    static final class GappedBound extends Base implements LogDensityBound {
        Rng lastRng;

        GappedBound(DataInfo info) {
            super(info);
        }

        @Override
        double logPdf(double[] row) {
            return standardNormalLogPdf(row) - 0.5;
        }

        @Override
        public Tensor logDensityBound(Tensor x, Rng rng) {
            lastRng = rng;
            return evaluate(x);
        }

        @Override
        public String boundName() {
            return "elbo-test";
        }
    }

    /** Exact density and a (deliberately wrong) bound: the evaluator must take the exact one. */
    static final class Both extends Base implements LogDensity, LogDensityBound {
        Both(DataInfo info) {
            super(info);
        }

        @Override
        double logPdf(double[] row) {
            return standardNormalLogPdf(row);
        }

        @Override
        public Tensor logDensity(Tensor x) {
            return evaluate(x);
        }

        @Override
        public Tensor logDensityBound(Tensor x, Rng rng) {
            throw new AssertionError("the bound must not be used when the exact density is available");
        }

        @Override
        public String boundName() {
            return "unused";
        }
    }

    /** Product of Beta(2, 1) densities 2x on [0, 1); keeps every row it was given. */
    static final class Beta21 extends Base implements LogDensity {
        final List<double[]> inputs = new ArrayList<>();

        Beta21(DataInfo info) {
            super(info);
        }

        @Override
        double logPdf(double[] row) {
            inputs.add(row.clone());
            double s = 0;
            for (double v : row) {
                s += v >= 0 && v < 1 ? Math.log(2 * v) : Double.NEGATIVE_INFINITY;
            }
            return s;
        }

        @Override
        public Tensor logDensity(Tensor x) {
            return evaluate(x);
        }
    }

    /** Uniform on [0, 1)^D: log density 0 inside. */
    static final class UnitCube extends Base implements LogDensity {
        UnitCube(DataInfo info) {
            super(info);
        }

        @Override
        double logPdf(double[] row) {
            for (double v : row) {
                if (!(v >= 0 && v < 1)) {
                    return Double.NEGATIVE_INFINITY;
                }
            }
            return 0;
        }

        @Override
        public Tensor logDensity(Tensor x) {
            return evaluate(x);
        }
    }
}
