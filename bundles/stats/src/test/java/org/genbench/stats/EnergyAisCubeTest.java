package org.genbench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Energy;
import org.genbench.api.Rng;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AIS for a density on the unit cube (E = +infinity outside) against a closed-form normalizer: a product of
 * truncated exponentials, E(x) = sum_j a_j x_j on [0, 1)^d, Z = prod_j (1 - exp(-a_j)) / a_j.
 */
class EnergyAisCubeTest {
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    /** Truncated exponentials on the cube; +infinity outside, so any state that leaves the cube has weight zero. */
    record LinearOnCube(double[] a) implements Energy {
        @Override
        public Tensor energy(Tensor x) {
            int d = a.length;
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.rows());
            for (long r = 0; r < x.rows(); r++) {
                double e = 0;
                for (int j = 0; j < d; j++) {
                    double v = x.getDouble(r * d + j);
                    e += v >= 0 && v < 1 ? a[j] * v : Double.POSITIVE_INFINITY;
                }
                out.setDouble(r, e);
            }
            return out;
        }

        @Override
        public Tensor energyGradient(Tensor x) {
            Tensor out = Tensor.allocate(x.allocator(), DType.FLOAT64, x.shape());
            for (long i = 0; i < x.size(); i++) {
                out.setDouble(i, a[(int) (i % a.length)]);
            }
            return out;
        }

        double exactLogZ() {
            double s = 0;
            for (double aj : a) {
                s += Math.log(-Math.expm1(-aj) / aj);
            }
            return s;
        }
    }

    /** Two-level dequantized data: (b + u) / 2 with P(b = 1) = p_j. */
    private Tensor twoLevelData(int n, double[] p, Rng rng) {
        int d = p.length;
        Tensor t = Tensor.allocate(allocator, DType.FLOAT64, n, d);
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                double b = rng.nextDouble() < p[j] ? 1 : 0;
                t.setDouble((long) r * d + j, (b + rng.nextDouble()) / 2);
            }
        }
        return t;
    }

    @Test
    void logZOfTruncatedExponentialsWithinThreeStandardErrors() {
        int d = 12;
        double[] a = new double[d];
        double[] p = new double[d];
        for (int j = 0; j < d; j++) {
            a[j] = -4 + 8.0 * j / (d - 1); // from -4 (mass near 1) to 4 (mass near 0)
            p[j] = 0.2 + 0.6 * j / (d - 1); // a base that fits the target badly: AIS has work to do
        }
        LinearOnCube energy = new LinearOnCube(a);
        try (Tensor data = twoLevelData(500, p, new Rng(1))) {
            AisResult r = new EnergyAis(energy, new long[] {d}, DType.FLOAT64, allocator).logPartitionOnCube(data, 2,
                    new AisSettings(400, 200, "sigmoid"), new Rng(2), () -> false);
            double exact = energy.exactLogZ();
            assertTrue(r.logZSe() > 0 && r.logZSe() < 0.1, "se " + r.logZSe());
            System.out.println("cube AIS log Z " + r.logZ() + " +- " + r.logZSe() + ", exact " + exact + ", acceptance " + r.acceptance());
            assertEquals(exact, r.logZ(), 3 * r.logZSe(), "log Z on the cube; exact " + exact);
            assertTrue(r.acceptance() > 0.1 && r.acceptance() < 0.5, "acceptance " + r.acceptance());
            assertTrue(r.base().startsWith("on [0, 1)^d"), r.base());
            // the normalizer on all of R^d does not exist (a linear energy): only the cube gives a number
        }
    }

    @Test
    void reflectionFoldsIntoTheUnitInterval() {
        assertEquals(0.25, EnergyAis.reflect(-0.25), 1e-15);
        assertEquals(0.75, EnergyAis.reflect(1.25), 1e-15);
        assertEquals(0.25, EnergyAis.reflect(2.25), 1e-15);
        assertEquals(0.75, EnergyAis.reflect(-1.25), 1e-15);
        assertEquals(0.5, EnergyAis.reflect(0.5), 0);
        assertTrue(EnergyAis.reflect(1.0) < 1);
    }

    @Test
    void dataOutsideTheCubeIsRefused() {
        try (Tensor data = Tensor.allocate(allocator, DType.FLOAT64, 2, 2)) {
            data.setDouble(3, 1.5);
            EnergyAis ais = new EnergyAis(new LinearOnCube(new double[] {1, 1}), new long[] {2}, DType.FLOAT64, allocator);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ais.logPartitionOnCube(data, 2, new AisSettings(10, 10, "linear"), new Rng(3), () -> false));
            assertTrue(e.getMessage().contains("value 3 is 1.5"), e.getMessage());
        }
    }
}
