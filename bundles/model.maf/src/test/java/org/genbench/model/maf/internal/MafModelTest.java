package org.genbench.model.maf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.Test;

class MafModelTest {
    static final DataInfo VECTORS = new DataInfo("test/vectors", new long[] {5}, DataInfo.CONTINUOUS, 0, null);

    static MafFamily.Config small(String norm) {
        return new MafFamily.Config(3, 12, 2, "tanh", norm);
    }

    static void perturb(MafModel m, long seed) {
        Rng rng = new Rng(seed);
        m.network().parameters().values().forEach(p -> {
            for (int i = 0; i < p.size(); i++) {
                p.setFlat(i, p.getFlat(i) + 0.2 * rng.nextGaussian());
            }
        });
    }

    static NdArray randn(long seed, int... shape) {
        return NdArray.wrap(NdArray.randn(new Rng(seed), org.genbench.nn.DType.F64, 1.0, shape).toDoubleArray(), shape);
    }

    @Test
    void theWholeNegativeLogLikelihoodPassesAGradientCheck() {
        for (String norm : MafFamily.NORMS) {
            MafModel m = new MafModel(small(norm), VECTORS, new Rng(1), org.genbench.nn.DType.F64);
            perturb(m, 2);
            m.network().train(true);
            List<GradCheck.Result> r = GradCheck.check(m.network().parameters(), List.of(randn(3, 6, 5)),
                    in -> F.mul(F.mean(m.flow().logProb(in.get(0))), -1.0), 3, 1e-5, 4);
            GradCheck.assertClose(r, 1e-6);
        }
    }

    /** decode(encode(x)) = x, and log |det du/dx| is that of the finite-difference Jacobian. */
    @Test
    void decodingInvertsTheFlowAndTheLogDeterminantIsTheJacobians() {
        for (String norm : MafFamily.NORMS) {
            MafModel m = new MafModel(small(norm), VECTORS, new Rng(5), org.genbench.nn.DType.F64);
            m.network().train(true);
            try (Scope s = Scope.open()) {
                m.flow().encode(randn(6, 10, 5));
            }
            perturb(m, 7);
            m.network().train(false);
            double[] x = randn(8, 2, 5).toDoubleArray();
            try (Scope s = Scope.open()) {
                NdArray[] e = m.flow().encode(NdArray.wrap(x.clone(), 2, 5));
                double[] back = m.flow().decode(e[0]).toDoubleArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(x[i], back[i], 1e-9, norm + " value " + i);
                }
                double[] x0 = java.util.Arrays.copyOf(x, 5);
                double[][] jac = new double[5][5];
                double h = 1e-6;
                for (int j = 0; j < 5; j++) {
                    double[] plus = x0.clone();
                    double[] minus = x0.clone();
                    plus[j] += h;
                    minus[j] -= h;
                    double[] up = m.flow().encode(NdArray.wrap(plus, 1, 5))[0].toDoubleArray();
                    double[] um = m.flow().encode(NdArray.wrap(minus, 1, 5))[0].toDoubleArray();
                    for (int i = 0; i < 5; i++) {
                        jac[i][j] = (up[i] - um[i]) / (2 * h);
                    }
                }
                assertEquals(logAbsDet(jac), e[1].getFlat(0), 1e-6, norm);
            }
        }
    }

    @Test
    void theScoreIsTheGradientOfTheLogDensity() {
        MafModel m = new MafModel(small("none"), VECTORS, new Rng(9), org.genbench.nn.DType.F64);
        perturb(m, 10);
        try (BufferAllocator a = new RootAllocator();
                Tensor x = Tensor.allocate(a, DType.FLOAT64, 3, 5)) {
            Rng rng = new Rng(11);
            for (long i = 0; i < x.size(); i++) {
                x.setDouble(i, rng.nextGaussian());
            }
            try (Tensor score = m.score(x)) {
                double h = 1e-6;
                for (int i = 0; i < 15; i++) {
                    double v = x.getDouble(i);
                    x.setDouble(i, v + h);
                    double[] plus = m.logDensities(x);
                    x.setDouble(i, v - h);
                    double[] minus = m.logDensities(x);
                    x.setDouble(i, v);
                    assertEquals((plus[i / 5] - minus[i / 5]) / (2 * h), score.getDouble(i), 1e-6, "entry " + i);
                }
            }
        }
    }

    static double logAbsDet(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
        }
        double sum = 0;
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            sum += Math.log(Math.abs(m[c][c]));
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k < n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        assertTrue(Double.isFinite(sum));
        return sum;
    }
}
