package org.genbench.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.tensor.DType;
import org.genbench.api.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DequantizationTest {
    @Test
    void aUniformDensityOnTheUnitCubeIsEightBitsPerDimension() {
        Dequantization d = Dequantization.uniform8Bit();
        // log p(x') = 0 for the uniform density on [0,1)^D: every 8-bit image then has probability 256^-D.
        long dims = 784;
        double ll = 0 + d.logLikelihoodOffset(dims);
        assertEquals(-dims * Math.log(256), ll, 1e-9);
        assertEquals(8.0, Dequantization.bitsPerDim(ll, dims), 1e-12);
    }

    /**
     * For a density on [0, 1) of known cell integrals, E_u[log p((x + u) / L)] - ln L is a lower bound on the discrete
     * log-probability of x (Jensen), and the mean over draws converges to it: p(t) = 2t on 4 levels.
     */
    @Test
    void theDequantizedLogLikelihoodLowerBoundsTheDiscreteOneAndEstimatesItsExpectation() {
        Dequantization d = new Dequantization(4, 0);
        Rng rng = new Rng(3);
        for (int x = 0; x < 4; x++) {
            // P(x) = integral over [x/4, (x+1)/4) of 2t dt = ((x+1)^2 - x^2) / 16
            double exact = Math.log((2.0 * x + 1) / 16);
            // E_u[log 2((x + u)/4)] = log(2/4) + E[log(x + u)] = log 0.5 + [(x+1)ln(x+1) - x ln x - 1]
            double expected = Math.log(0.5) + ((x + 1) * Math.log(x + 1) - (x == 0 ? 0 : x * Math.log(x)) - 1)
                    + d.logLikelihoodOffset(1);
            assertTrue(expected <= exact + 1e-12, "Jensen: " + expected + " <= " + exact);
            double mean = 0;
            int n = 200_000;
            for (int i = 0; i < n; i++) {
                double xp = d.dequantize(x, rng.nextDouble());
                assertTrue(xp >= x / 4.0 && xp < (x + 1) / 4.0);
                mean += (Math.log(2 * xp) + d.logLikelihoodOffset(1)) / n;
            }
            // the spread of log(x + u) is below 1, so 200000 draws give a standard error below 0.0023
            assertEquals(expected, mean, 0.01, "level " + x);
        }
    }

    @Test
    void theLogitPreTransformInvertsAndItsLogJacobianMatchesFiniteDifferences() {
        Dequantization d = Dequantization.logit8Bit(0.05);
        for (double x : new double[] {1e-4, 0.01, 0.3, 0.5, 0.77, 0.999}) {
            double y = d.toLogit(x);
            assertEquals(x, d.fromLogit(y), 1e-12);
            double h = 1e-6;
            double numeric = Math.log((d.toLogit(x + h) - d.toLogit(x - h)) / (2 * h));
            assertEquals(numeric, d.logitLogJacobian(x), 1e-6, "at " + x);
        }
        Dequantization none = Dequantization.uniform8Bit();
        assertEquals(0.3, none.toLogit(0.3));
        assertEquals(0, none.logitLogJacobian(0.3));
        assertTrue(d.describe().contains("logit(0.05"));
    }

    @Test
    void dequantizedTensorsStayInTheirCellsBelowOneAndRefuseNonLevels() {
        Dequantization d = Dequantization.uniform8Bit();
        try (BufferAllocator a = new RootAllocator(RootAllocator.configBuilder()
                .allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
                Tensor x = Tensor.allocate(a, DType.FLOAT32, 2, 3)) {
            double[] v = {0, 255, 17, 128, 255, 1};
            for (int i = 0; i < v.length; i++) {
                x.setDouble(i, v[i]);
            }
            try (Tensor y = d.dequantize(x, new Rng(1), a)) {
                assertEquals(DType.FLOAT32, y.dtype());
                for (int i = 0; i < v.length; i++) {
                    double q = y.getDouble(i);
                    assertTrue(q >= v[i] / 256 && q < 1 && q < (v[i] + 1) / 256 + 1e-7, q + " for " + v[i]);
                    assertEquals(v[i], d.quantize(q));
                }
            }
            assertEquals(-1, d.firstNonLevel(x));
            x.setDouble(4, 2.5);
            assertEquals(4, d.firstNonLevel(x));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.dequantize(x, new Rng(1), a));
            assertTrue(e.getMessage().contains("integer values in 0..255, found 2.5 at index 4"), e.getMessage());
        }
        assertEquals(Math.nextDown(1.0), d.dequantize(255, Math.nextDown(1.0)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Dequantization(1, 0)).getMessage()
                .contains("levels must be in 2..65536"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Dequantization(256, 0.5)).getMessage()
                .contains("logitAlpha must be in [0, 0.5)"));
    }
}
