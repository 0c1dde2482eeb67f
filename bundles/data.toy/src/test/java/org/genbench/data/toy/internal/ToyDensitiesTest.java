package org.genbench.data.toy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.genbench.api.Dataset;
import org.genbench.api.KnownDensity;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.testing.TestRunContext;
import org.junit.jupiter.api.Test;

/**
 * The toy densities against the generator that draws the data: each integrates to 1, and the probability it gives
 * each cell of a grid matches the fraction of 200000 generated points that fall there.
 */
class ToyDensitiesTest {
    private static final int GRID = 60;
    private static final double LO = -6;
    private static final double HI = 6;

    @Test
    void eachShapeIntegratesToOneAndMatchesTheGeneratorsHistogram() {
        for (String shape : ToyDatasets.SHAPES) {
            double noise = shape.equals("checkerboard") ? 0.1 : new ToyDatasets.Config(shape, null, null, null, null, null).noise();
            // The density's mass per cell by a 3x3 midpoint rule inside each cell.
            double cell = (HI - LO) / GRID;
            double[] mass = new double[GRID * GRID];
            double total = 0;
            int sub = 3;
            for (int i = 0; i < GRID; i++) {
                for (int j = 0; j < GRID; j++) {
                    double m = 0;
                    for (int a = 0; a < sub; a++) {
                        for (int b = 0; b < sub; b++) {
                            double x = LO + (i + (a + 0.5) / sub) * cell;
                            double y = LO + (j + (b + 0.5) / sub) * cell;
                            m += Math.exp(ToyDensities.logDensity(shape, noise, x, y));
                        }
                    }
                    mass[i * GRID + j] = m * cell * cell / (sub * sub);
                    total += mass[i * GRID + j];
                }
            }
            assertEquals(1.0, total, 2e-3, shape + " integrates to 1");
            int n = 200_000;
            double[] xy = ToyDatasets.generate(shape, n, noise, new Rng(17));
            double[] hist = new double[GRID * GRID];
            for (int k = 0; k < n; k++) {
                int i = (int) Math.floor((xy[2 * k] - LO) / cell);
                int j = (int) Math.floor((xy[2 * k + 1] - LO) / cell);
                if (i >= 0 && i < GRID && j >= 0 && j < GRID) {
                    hist[i * GRID + j] += 1.0 / n;
                }
            }
            double tv = 0;
            for (int c = 0; c < hist.length; c++) {
                tv += 0.5 * Math.abs(hist[c] - mass[c]);
            }
            // 3600 cells and 200000 points: sampling noise alone gives a total variation near 0.02.
            assertTrue(tv < 0.035, shape + ": total variation " + tv + " between the density and the generator");
        }
    }

    @Test
    void theNoiselessCheckerboardIsUniformOnItsBlackSquares() {
        assertEquals(-Math.log(32), ToyDensities.logDensity("checkerboard", 0, 0.5, 0.5), 1e-12);
        assertEquals(-Math.log(32), ToyDensities.logDensity("checkerboard", 0, -3.5, 0.5), 1e-12);
        assertEquals(Double.NEGATIVE_INFINITY, ToyDensities.logDensity("checkerboard", 0, -3.5, 2.5));
        assertEquals(Double.NEGATIVE_INFINITY, ToyDensities.logDensity("checkerboard", 0, 2.5, 0.5));
        assertEquals(Double.NEGATIVE_INFINITY, ToyDensities.logDensity("checkerboard", 0, 4.5, 0.5));
        assertFalse(ToyDensities.exists("two-moons", 0));
    }

    @Test
    void logErfcMatchesKnownValuesInBothRegimes() {
        // erfc(0.5), erfc(2), erfc(3), erfc(5), erfc(10) (Abramowitz and Stegun; Wolfram for the tails)
        assertEquals(Math.log(0.4795001221869535), ToyDensities.logErfc(0.5), 1e-12);
        assertEquals(Math.log(0.004677734981047266), ToyDensities.logErfc(2), 1e-10);
        assertEquals(Math.log(2.209049699858544e-5), ToyDensities.logErfc(3), 1e-7);
        assertEquals(Math.log(1.537459794428035e-12), ToyDensities.logErfc(5), 1e-10);
        assertEquals(Math.log(2.088487583762545e-45), ToyDensities.logErfc(10), 1e-10);
        assertEquals(Math.log(0.6826894921370859), ToyDensities.logNormalMass(-1, 1), 1e-10);
        assertEquals(Math.log(1.3498980316301e-3 - 3.167124183311998e-5), ToyDensities.logNormalMass(3, 4), 1e-8);
    }

    @Test
    void anOpenedNoisyToyKnowsItsDensityAndANoiselessCurveDoesNot() {
        try (BufferAllocator allocator = new RootAllocator()) {
            ToyDatasets toy = new ToyDatasets();
            try (Dataset d = toy.open(new ToyDatasets.Config("eight-gaussians", 10, 10, null, null, null),
                    new TestRunContext(1, allocator))) {
                assertTrue(d instanceof KnownDensity);
                Tensor x = d.split("test").x();
                try (Tensor lp = ((KnownDensity) d).trueLogDensity(x)) {
                    assertEquals(10, lp.size());
                    double s = 0.5 / Math.sqrt(2);
                    double x0 = x.getDouble(0);
                    double y0 = x.getDouble(1);
                    double sum = 0;
                    for (int k = 0; k < 8; k++) {
                        double cx = 2 * Math.sqrt(2) * Math.cos(k * Math.PI / 4);
                        double cy = 2 * Math.sqrt(2) * Math.sin(k * Math.PI / 4);
                        sum += Math.exp(-((x0 - cx) * (x0 - cx) + (y0 - cy) * (y0 - cy)) / (2 * s * s)) / (2 * Math.PI * s * s) / 8;
                    }
                    assertEquals(Math.log(sum), lp.getDouble(0), 1e-9);
                }
            }
            try (Dataset d = toy.open(new ToyDatasets.Config("two-moons", 10, 10, 0.0, null, null), new TestRunContext(1, allocator))) {
                assertFalse(d instanceof KnownDensity);
            }
        }
    }
}
