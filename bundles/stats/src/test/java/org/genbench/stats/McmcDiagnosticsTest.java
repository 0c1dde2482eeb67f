package org.genbench.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genbench.api.Rng;
import org.junit.jupiter.api.Test;

class McmcDiagnosticsTest {

    @Test
    void normalQuantileMatchesScipyToNearMachinePrecision() {
        // References: scipy.stats.norm.ppf 1.17.1.
        double[][] cases = {
            {0.975, 1.959963984540054},
            {0.8413447460685429, 1.0},
            {0.3, -0.5244005127080409},
            {0.999, 3.090232306167813},
            {1e-10, -6.361340902404056},
            {1e-300, -37.0470962993612},
            {0.500000000001, 2.5065728237018607e-12},
        };
        for (double[] c : cases) {
            assertEquals(c[1], McmcDiagnostics.normalQuantile(c[0]), 1e-14 * Math.abs(c[1]), "Phi^-1(" + c[0] + ")");
        }
        assertEquals(0.0, McmcDiagnostics.normalQuantile(0.5));
        assertEquals(-McmcDiagnostics.normalQuantile(0.2), McmcDiagnostics.normalQuantile(0.8), 1e-15);
        assertEquals(Double.NEGATIVE_INFINITY, McmcDiagnostics.normalQuantile(0));
        assertEquals(Double.POSITIVE_INFINITY, McmcDiagnostics.normalQuantile(1));
        assertTrue(Double.isNaN(McmcDiagnostics.normalQuantile(1.5)));
    }

    /** Deterministic, unequal-scale chains of odd length (so the middle draw is dropped when splitting). */
    private static double[][] wavy() {
        double[][] x = new double[4][101];
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 101; i++) {
                x[c][i] = (Math.sin(0.3 * i + c) + 0.5 * Math.sin(2.1 * i * (c + 1))) * (c == 3 ? 1.5 : 1.0) + 0.05 * c;
            }
        }
        return x;
    }

    /** Deterministic, strongly autocorrelated chains: s_i = 0.9 s_(i-1) + sin(1.7 i^2 + c). */
    private static double[][] smoothed() {
        double[][] x = new double[3][400];
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int i = 0; i < 400; i++) {
                s = 0.9 * s + Math.sin(1.7 * i * i + c);
                x[c][i] = s;
            }
        }
        return x;
    }

    @Test
    void agreesWithArviz() {
        // References: ArviZ 0.23.4 on the same arrays (chain, draw): rhat(method="split"), rhat(method="rank"),
        // ess(method="bulk"), ess(method="mean"). ArviZ and this class share the definitions of Vehtari et al.
        // (2021), so only floating-point rounding separates them.
        double tol = 1e-9;
        double[][] a = wavy();
        assertEquals(1.0151025820488184, McmcDiagnostics.splitRhat(a), tol);
        assertEquals(1.0310402840881072, McmcDiagnostics.rankNormalizedSplitRhat(a), tol);
        assertEquals(76.4129145937347, McmcDiagnostics.essBulk(a), tol * 76);
        assertEquals(74.79224421726472, McmcDiagnostics.ess(a), tol * 75);
        double[][] b = smoothed();
        assertEquals(1.018314790552756, McmcDiagnostics.splitRhat(b), tol);
        assertEquals(1.0178740903148393, McmcDiagnostics.rankNormalizedSplitRhat(b), tol);
        assertEquals(74.1110126356472, McmcDiagnostics.essBulk(b), tol * 74);
        assertEquals(70.12597619432714, McmcDiagnostics.ess(b), tol * 70);
    }

    private static double[][] iidNormal(int chains, int draws, long seed) {
        Rng rng = new Rng(seed);
        double[][] x = new double[chains][draws];
        for (int c = 0; c < chains; c++) {
            for (int i = 0; i < draws; i++) {
                x[c][i] = rng.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void rhatIsOneForIndependentChainsAndLargeWhenOneChainIsShifted() {
        double[][] x = iidNormal(4, 5000, 11);
        // With 40000 draws from one distribution, R-hat - 1 is of order 1/S; 1.005 leaves room for noise.
        assertEquals(1.0, McmcDiagnostics.splitRhat(x), 0.005);
        assertEquals(1.0, McmcDiagnostics.rankNormalizedSplitRhat(x), 0.005);
        for (int i = 0; i < x[3].length; i++) {
            x[3][i] += 2.0;
        }
        // One chain off by two standard deviations: of the 8 half-chains, 2 have mean 2 and 6 mean 0, so the
        // variance of the half-chain means is 4 * 1.5 / 7 = 0.857, within-chain variance 1, and
        // R-hat = sqrt(1 + 0.857) = 1.36.
        assertEquals(1.36, McmcDiagnostics.splitRhat(x), 0.03);
        assertTrue(McmcDiagnostics.splitRhat(x) > 1.1, "classic split R-hat " + McmcDiagnostics.splitRhat(x));
        assertTrue(McmcDiagnostics.rankNormalizedSplitRhat(x) > 1.1,
                "rank-normalized split R-hat " + McmcDiagnostics.rankNormalizedSplitRhat(x));
    }

    @Test
    void onlyTheFoldedRhatSeesAChainWithTheWrongScale() {
        double[][] x = iidNormal(4, 5000, 12);
        for (int i = 0; i < x[3].length; i++) {
            x[3][i] *= 3.0;
        }
        // Same mean in every chain, so classic R-hat stays near 1 while the tail (folded) R-hat flags it:
        // the reason Vehtari et al. take the maximum of the two.
        assertTrue(McmcDiagnostics.splitRhat(x) < 1.01, "classic split R-hat " + McmcDiagnostics.splitRhat(x));
        assertTrue(McmcDiagnostics.rankNormalizedSplitRhat(x) > 1.1,
                "rank-normalized split R-hat " + McmcDiagnostics.rankNormalizedSplitRhat(x));
    }

    @Test
    void essOfIndependentDrawsIsTheirNumber() {
        double[][] x = iidNormal(4, 5000, 13);
        assertEquals(20000, McmcDiagnostics.essBulk(x), 0.15 * 20000);
        assertEquals(20000, McmcDiagnostics.ess(x), 0.15 * 20000);
    }

    @Test
    void essOfAnAr1ChainIsNTimesOneMinusPhiOverOnePlusPhi() {
        double phi = 0.9;
        int chains = 4;
        int draws = 25_000;
        Rng rng = new Rng(14);
        double[][] x = new double[chains][draws];
        double stationarySd = 1 / Math.sqrt(1 - phi * phi);
        for (int c = 0; c < chains; c++) {
            double s = stationarySd * rng.nextGaussian();
            for (int i = 0; i < draws; i++) {
                s = phi * s + rng.nextGaussian();
                x[c][i] = s;
            }
        }
        // The integrated autocorrelation time of AR(1) is (1 + phi) / (1 - phi) = 19.
        double expected = chains * draws * (1 - phi) / (1 + phi);
        assertEquals(expected, McmcDiagnostics.ess(x), 0.25 * expected);
        assertEquals(expected, McmcDiagnostics.essBulk(x), 0.25 * expected);
    }

    @Test
    void rankNormalizationGivesTiesTheirAverageScore() {
        double[][] z = McmcDiagnostics.rankNormalize(new double[][] {{3, 1}, {1, 7}});
        // Ranks 3, 1.5, 1.5, 4 of S = 4: Phi^-1((r - 3/8) / (4 + 1/4)).
        assertEquals(McmcDiagnostics.normalQuantile((3 - 0.375) / 4.25), z[0][0], 1e-15);
        assertEquals(McmcDiagnostics.normalQuantile((1.5 - 0.375) / 4.25), z[0][1], 1e-15);
        assertEquals(z[0][1], z[1][0]);
        assertEquals(McmcDiagnostics.normalQuantile((4 - 0.375) / 4.25), z[1][1], 1e-15);
    }

    @Test
    void undefinedInputsGiveNanAndMalformedOnesAreRefused() {
        double[][] x = iidNormal(2, 10, 15);
        x[1][4] = Double.NaN;
        assertTrue(Double.isNaN(McmcDiagnostics.rankNormalizedSplitRhat(x)));
        assertTrue(Double.isNaN(McmcDiagnostics.essBulk(x)));
        assertTrue(Double.isNaN(McmcDiagnostics.splitRhat(new double[][] {{1, 1, 1, 1}, {1, 1, 1, 1}})));
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> McmcDiagnostics.splitRhat(new double[][] {{1, 2, 3, 4}, {1, 2, 3}}));
        assertEquals("chains must have equal lengths, chain 0 has 4 draws and chain 1 has 3", ragged.getMessage());
        IllegalArgumentException shortChains = assertThrows(IllegalArgumentException.class,
                () -> McmcDiagnostics.essBulk(new double[][] {{1, 2, 3}}));
        assertEquals("each chain needs at least 4 draws, has 3", shortChains.getMessage());
    }
}
