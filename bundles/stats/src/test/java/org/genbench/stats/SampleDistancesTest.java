package org.genbench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;

class SampleDistancesTest {
    @Test
    void energyDistanceMatchesScipyInOneDimension() {
        // scipy.stats.energy_distance([0, 1, 2.5, -1, 0.3], [0.5, 0.7, 3, -2]) with scipy 1.17.1
        assertEquals(0.5291502622129182, SampleDistances.energyDistance(new double[] {0, 1, 2.5, -1, 0.3},
                new double[] {0.5, 0.7, 3, -2}, 1), 1e-14);
    }

    @Test
    void energyDistanceSeesAShiftInTwoDimensionsAndNotANewDraw() {
        Rng rng = new Rng(1);
        double[] a = new double[2000];
        double[] b = new double[2000];
        double[] shifted = new double[2000];
        for (int i = 0; i < 2000; i++) {
            a[i] = rng.nextGaussian();
            b[i] = rng.nextGaussian();
            shifted[i] = rng.nextGaussian() + (i % 2 == 0 ? 0.5 : 0);
        }
        double same = SampleDistances.energyDistance(a, b, 2);
        double moved = SampleDistances.energyDistance(a, shifted, 2);
        assertEquals(0, SampleDistances.energyDistance(a, a.clone(), 2), 1e-12);
        assertTrue(same < 0.12, "two draws of one distribution: " + same);
        // For a mean shift delta small against the spread, D^2 ~ c |delta|^2; here about 0.3.
        assertTrue(moved > 2 * same && moved > 0.2, "shift by 0.5: " + moved + " vs " + same);
    }
}
