package org.genbench.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.genbench.diffusion.internal.Gauss;
import org.junit.jupiter.api.Test;

/** Schedules and the Gaussian tails against datasets/reference/diffusion_reference.py (numpy, mpmath). */
class SchedulesTest {
    @Test
    void linearAndCosineBetasMatchTheReference() {
        assertArrayEquals(Reference.doubles(Reference.JSON.get("linear1000")), Schedules.betas("linear", 1000), 1e-15);
        assertArrayEquals(Reference.doubles(Reference.JSON.get("linear40")), Schedules.betas("linear", 40), 1e-15);
        assertArrayEquals(Reference.doubles(Reference.JSON.get("cosine1000")), Schedules.betas("cosine", 1000), 1e-12);
        assertArrayEquals(Reference.doubles(Reference.JSON.get("cosine40")), Schedules.betas("cosine", 40), 1e-12);
        double[] ab = Schedules.alphaBars(Schedules.betas("linear", 1000));
        // DDPM's schedule leaves abar_T = 4.04e-5 (Ho et al.: "so that x_T is nearly N(0, I)")
        assertEquals(4.036e-5, ab[999], 1e-8);
        assertArrayEquals(Schedules.betas("cosine", 40), Schedules.betasOf(Schedules.alphaBars(Schedules.betas("cosine", 40))), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedules.betas("quadratic", 10));
        assertTrue(e.getMessage().contains("'linear' or 'cosine'"), e.getMessage());
    }

    @Test
    void spacedTimesIncludeBothEnds() {
        assertArrayEquals(new int[] {1, 112, 223, 334, 445, 556, 667, 778, 889, 1000}, Schedules.spacedTimes(1000, 10));
        assertArrayEquals(new int[] {1000}, Schedules.spacedTimes(1000, 1));
        int[] all = Schedules.spacedTimes(7, 7);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7}, all);
        int[] t = Schedules.spacedTimes(1000, 999);
        for (int i = 1; i < t.length; i++) {
            assertTrue(t[i] > t[i - 1]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedules.spacedTimes(100, 101));
        assertTrue(e.getMessage().contains("1..100"), e.getMessage());
    }

    @Test
    void geometricSigmas() {
        double[] s = Schedules.geometricSigmas(50, 0.01, 232);
        assertEquals(50, s[0], 1e-12);
        assertEquals(0.01, s[231], 1e-15);
        assertEquals(s[1] / s[0], s[200] / s[199], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Schedules.geometricSigmas(1, 2, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedules.checkSigmas(new double[] {1, 0.5, 0.7}));
        assertTrue(e.getMessage().contains("sigma_3"), e.getMessage());
    }

    @Test
    void gaussianTailsInLogSpace() {
        for (JsonNode p : Reference.JSON.get("log_q")) {
            double x = p.get(0).asDouble();
            double want = p.get(1).asDouble();
            double got = Gauss.logQ(x);
            assertEquals(want, got, 1e-12 * Math.max(1, Math.abs(want)) + 1e-300, "log Q(" + x + ")");
        }
        for (JsonNode p : Reference.JSON.get("log_interval")) {
            double a = p.get(0).asDouble();
            double b = p.get(1).asDouble();
            double want = p.get(2).asDouble();
            assertEquals(want, Gauss.logIntervalProbability(a, b), 1e-9 * Math.max(1, Math.abs(want)), "[" + a + ", " + b + "]");
        }
    }
}
