package org.genbench.model.realnvp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.AdamSettings;
import org.genbench.api.DataInfo;
import org.genbench.api.Dequantization;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Batch;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;
import org.genbench.nn.Scope;
import org.genbench.nn.check.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealNvpModelTest {
    static final DataInfo IMAGE = new DataInfo("test/image", new long[] {1, 4, 4}, DataInfo.CONTINUOUS, 0, null);
    static final DataInfo BYTES = new DataInfo("test/bytes", new long[] {1, 4, 4}, DataInfo.DISCRETE, 0, null,
            Dequantization.logit8Bit(0.05));
    static final DataInfo PLANE = new DataInfo("test/plane", new long[] {2}, DataInfo.CONTINUOUS, 0, null);

    BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    static RealNvpFamily.Config small(String norm) {
        return new RealNvpFamily.Config(null, 2, 3, 1, 4, 8, 1, norm);
    }

    /** Moves every parameter off its (partly zero) initial value, so that no gradient is a special case. */
    static void perturb(RealNvpModel m, long seed) {
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
        for (String norm : List.of("actnorm", "batchnorm", "none")) {
            for (DataInfo data : List.of(IMAGE, PLANE)) {
                RealNvpModel m = new RealNvpModel(small(norm), data, new Rng(1), org.genbench.nn.DType.F64);
                perturb(m, 2);
                m.network().train(true);
                int d = (int) data.dimension();
                List<GradCheck.Result> r = GradCheck.check(m.network().parameters(), List.of(randn(3, 5, d)),
                        in -> F.mul(F.mean(m.flow().logProb(in.get(0))), -1.0), 3, 1e-5, 4);
                GradCheck.assertClose(r, 1e-6);
            }
        }
    }

    /** decode(encode(x)) = x, and the log-determinant the flow reports is that of the map's finite-difference Jacobian. */
    @Test
    void encodingInvertsAndItsLogDeterminantIsTheJacobians() {
        for (String norm : List.of("actnorm", "batchnorm")) {
            for (DataInfo data : List.of(IMAGE, PLANE)) {
                RealNvpModel m = new RealNvpModel(small(norm), data, new Rng(5), org.genbench.nn.DType.F64);
                m.network().train(true);
                try (Scope s = Scope.open()) {
                    m.flow().encode(randn(6, 8, (int) data.dimension())); // initializes ActNorm, moves batch norm's averages
                }
                perturb(m, 7);
                m.network().train(false);
                int d = (int) data.dimension();
                double[] x = randn(8, 1, d).toDoubleArray();
                try (Scope s = Scope.open()) {
                    NdArray[] e = m.flow().encode(NdArray.wrap(x.clone(), 1, d));
                    double[] back = m.flow().decode(e[0]).toDoubleArray();
                    for (int i = 0; i < d; i++) {
                        assertEquals(x[i], back[i], 1e-9, norm + " " + data.name() + " value " + i);
                    }
                    double[][] jac = new double[d][d];
                    double h = 1e-6;
                    for (int j = 0; j < d; j++) {
                        double[] plus = x.clone();
                        double[] minus = x.clone();
                        plus[j] += h;
                        minus[j] -= h;
                        double[] zp = m.flow().encode(NdArray.wrap(plus, 1, d))[0].toDoubleArray();
                        double[] zm = m.flow().encode(NdArray.wrap(minus, 1, d))[0].toDoubleArray();
                        for (int i = 0; i < d; i++) {
                            jac[i][j] = (zp[i] - zm[i]) / (2 * h);
                        }
                    }
                    assertEquals(logAbsDet(jac), e[1].getFlat(0), 1e-6, norm + " " + data.name());
                }
            }
        }
    }

    /** log |det a| by Gaussian elimination with partial pivoting. */
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
        return sum;
    }

    @Test
    void eightBitDataIsDequantizedAndSamplesAreLevels() {
        RealNvpModel m = new RealNvpModel(small("actnorm"), BYTES, new Rng(9), org.genbench.nn.DType.F32);
        Rng rng = new Rng(10);
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 20, 1, 4, 4)) {
            for (long i = 0; i < x.size(); i++) {
                x.setDouble(i, rng.nextInt(256));
            }
            GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-3, 0.9, 0.999, 1e-8), 1);
            Map<String, Double> out;
            try (Batch b = Batch.of(x.retain())) {
                out = m.trainStep(b, step, new Rng(11));
            }
            // loss is -log p(x'); the data's log-likelihood adds -D ln 256; bits/dim follows from that
            assertEquals(-out.get("loss") - 16 * Math.log(256), out.get("loglik"), 1e-9);
            assertEquals(-out.get("loglik") / (16 * Math.log(2)), out.get("bits_per_dim"), 1e-9);
            try (Tensor s = m.sample(7, new Rng(12), allocator)) {
                assertEquals(List.of(7L, 1L, 4L, 4L), java.util.Arrays.stream(s.shape()).boxed().toList());
                for (double v : s.toDoubleArray()) {
                    assertTrue(v >= 0 && v <= 255 && v == Math.rint(v), "sample value " + v);
                }
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RealNvpModel(
                RealNvpFamily.Config.defaults(), new DataInfo("b", new long[] {1, 4, 4}, DataInfo.BINARY, 0, null),
                new Rng(1), org.genbench.nn.DType.F32));
        assertTrue(e.getMessage().contains("binary"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RealNvpModel(new RealNvpFamily.Config(null, 4, null,
                null, null, null, null, null), new DataInfo("f", new long[] {1, 28, 28}, DataInfo.CONTINUOUS, 0, null),
                new Rng(1), org.genbench.nn.DType.F32));
        assertTrue(e.getMessage().contains("scales <= 3"), e.getMessage());
    }

    @Test
    void aCheckpointRestoresTheSameDensityAndRefusesAnotherConfiguration(@TempDir Path dir) throws Exception {
        RealNvpModel a = new RealNvpModel(small("actnorm"), PLANE, new Rng(13), org.genbench.nn.DType.F32);
        Rng rng = new Rng(14);
        try (Tensor x = Tensor.allocate(allocator, DType.FLOAT32, 64, 2)) {
            for (long i = 0; i < x.size(); i++) {
                x.setDouble(i, rng.nextGaussian());
            }
            GradientTrainable.Step step = new GradientTrainable.Step(new AdamSettings(1e-2, 0.9, 0.999, 1e-8), 1);
            for (int s = 0; s < 5; s++) {
                try (Batch b = Batch.of(x.retain())) {
                    a.trainStep(b, step, new Rng(s));
                }
            }
            a.save(dir);
            RealNvpModel b = new RealNvpModel(small("actnorm"), PLANE, new Rng(99), org.genbench.nn.DType.F32);
            b.load(dir);
            assertEquals(5, b.stepsTaken());
            try (Tensor la = a.logDensity(x); Tensor lb = b.logDensity(x)) {
                assertEquals(java.util.Arrays.toString(la.toDoubleArray()), java.util.Arrays.toString(lb.toDoubleArray()));
            }
            RealNvpModel other = new RealNvpModel(small("batchnorm"), PLANE, new Rng(99), org.genbench.nn.DType.F32);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> other.load(dir));
            assertTrue(e.getMessage().contains("config"), e.getMessage());
        }
    }
}
