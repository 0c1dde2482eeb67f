package @@PACKAGE@@.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class @@CLASS@@ModelTest {
    private final BufferAllocator allocator = new RootAllocator(RootAllocator.configBuilder()
            .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
    private final DataInfo twoD = new DataInfo("test", new long[] {2}, DataInfo.CONTINUOUS, 0, "none");

    @AfterEach
    void close() {
        allocator.close(); // fails the test if a tensor was not closed
    }

    @Test
    void fitsTheMeanAndTheMaximumLikelihoodVariance() {
        @@CLASS@@Model model = new @@CLASS@@Model(twoD, 0);
        // x = (1, 10), (2, 10), (3, 13): mean (2, 11); variance (2/3, 2) dividing by n
        try (Tensor x = Tensor.ofDoubles(allocator, new double[] {1, 10, 2, 10, 3, 13}, 3, 2)) {
            model.initialize(x, new Rng(1));
        }
        assertArrayEquals(new double[] {2, 11}, model.mean(), 1e-12);
        assertArrayEquals(new double[] {2.0 / 3, 2}, model.variance(), 1e-12);
    }

    @Test
    void logDensityScoreAndEnergyAgree() {
        @@CLASS@@Model model = new @@CLASS@@Model(twoD, 0);
        try (Tensor x = Tensor.ofDoubles(allocator, new double[] {0.5, -1}, 1, 2);
             Tensor lp = model.logDensity(x); Tensor e = model.energy(x);
             Tensor s = model.score(x); Tensor g = model.energyGradient(x)) {
            // standard normal: log p = -(0.25 + 1)/2 - log(2 pi)
            assertEquals(-0.625 - Math.log(2 * Math.PI), lp.getDouble(0), 1e-12);
            assertEquals(-lp.getDouble(0), e.getDouble(0), 1e-12);
            assertArrayEquals(new double[] {-0.5, 1}, s.toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {0.5, -1}, g.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void samplesHaveTheFittedMoments() {
        @@CLASS@@Model model = new @@CLASS@@Model(twoD, 0);
        try (Tensor x = Tensor.ofDoubles(allocator, new double[] {-1, 5, 1, 5, -1, 7, 1, 7}, 4, 2)) {
            model.initialize(x, new Rng(1)); // mean (0, 6), variance (1, 1)
        }
        int n = 20_000;
        try (Tensor s = model.sample(n, new Rng(7), allocator)) {
            double m0 = 0;
            double m1 = 0;
            for (int i = 0; i < n; i++) {
                m0 += s.getDouble(2L * i) / n;
                m1 += s.getDouble(2L * i + 1) / n;
            }
            // the standard error of a mean of 20000 unit-variance draws is 0.007; 5 of them
            assertEquals(0, m0, 0.035);
            assertEquals(6, m1, 0.035);
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new @@CLASS@@Family.Config(-1.0));
        assertEquals("varianceFloor must be from 0 to 1e6, was -1.0", e.getMessage());
    }
}
