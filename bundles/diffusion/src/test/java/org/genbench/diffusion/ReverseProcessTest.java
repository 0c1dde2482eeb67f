package org.genbench.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.unsafe.UnsafeAllocationManager;
import org.genbench.api.Rng;
import org.genbench.testing.ExactMixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reverse processes on a 2-D Gaussian mixture whose exact noise predictor and score are known: the samples must
 * match the mixture (energy distance to exact draws no larger than a stated multiple of that between two exact sets),
 * and a process run wrongly (too few steps) must not pass the same check.
 */
class ReverseProcessTest {
    static final int N = 800;
    static final double[] ALPHA_BARS = Schedules.alphaBars(Schedules.betas(Schedules.LINEAR, 1000));
    static final double[] SIGMAS = Schedules.geometricSigmas(4.0, 0.01, 12);
    /** Energy distances between two exact sets of 800 draws are about 0.04-0.07; the bar: */
    static final double THRESHOLD = 0.14;

    BufferAllocator allocator;
    ExactMixture mixture;
    double[] exact;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator(RootAllocator.configBuilder().allocationManagerFactory(UnsafeAllocationManager.FACTORY).build());
        mixture = ExactMixture.twoModes(ALPHA_BARS, SIGMAS);
        exact = mixture.draw(N, new Rng(100));
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    Denoiser noise(ExactMixture m) {
        return Denoiser.of((org.genbench.api.NoisePredictor) m, new long[] {m.dimension()}, 256, 0, allocator);
    }

    Denoiser score(ExactMixture m) {
        return Denoiser.of((org.genbench.api.NoiseConditionalScore) m, new long[] {m.dimension()}, 256, 0, allocator);
    }

    static double[] toDoubles(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    double distance(float[] samples) {
        return ExactMixture.energyDistance(toDoubles(samples), exact, 2);
    }

    @Test
    void twoExactSetsSetTheFloor() {
        double floor = ExactMixture.energyDistance(mixture.draw(N, new Rng(7)), exact, 2);
        System.out.println("floor " + floor);
        assertTrue(floor < THRESHOLD / 2, "floor " + floor);
        // a visibly wrong set (one mode only) is far above the bar
        ExactMixture oneMode = new ExactMixture(new double[][] {{1.0, -0.5}}, new double[] {0.45}, new double[] {1}, ALPHA_BARS, SIGMAS,
                mixture.scaling());
        assertTrue(ExactMixture.energyDistance(oneMode.draw(N, new Rng(8)), exact, 2) > 4 * THRESHOLD);
    }

    @Test
    void ddpmAncestralReproducesTheMixture() {
        List<int[]> steps = new ArrayList<>();
        float[] x = Ddpm.sample(noise(mixture), ALPHA_BARS, N, null,
                new Ddpm.Settings(1000, Ddpm.SMALL, true), null, new Rng(1), (d, t, xs, x0) -> steps.add(new int[] {d, t}));
        double d = distance(x);
        System.out.println("ddpm " + d);
        assertTrue(d < THRESHOLD, "energy distance " + d);
        assertEquals(1001, steps.size());
        assertArrayEquals(new int[] {1000, 1000}, steps.get(1000));
        assertArrayEquals(new int[] {0, 1000}, steps.get(0));
        float[] large = Ddpm.sample(noise(mixture), ALPHA_BARS, N, null,
                new Ddpm.Settings(1000, Ddpm.LARGE, true), null, new Rng(2), Observer.none());
        System.out.println("ddpm large " + distance(large));
        assertTrue(distance(large) < THRESHOLD, "large variance: " + distance(large));
        float[] respaced = Ddpm.sample(noise(mixture), ALPHA_BARS, N, null,
                new Ddpm.Settings(100, Ddpm.SMALL, true), null, new Rng(3), Observer.none());
        System.out.println("ddpm 100 " + distance(respaced));
        assertTrue(distance(respaced) < THRESHOLD, "100 respaced steps: " + distance(respaced));
        float[] one = Ddpm.sample(noise(mixture), ALPHA_BARS, N, null,
                new Ddpm.Settings(2, Ddpm.SMALL, true), null, new Rng(4), Observer.none());
        System.out.println("ddpm 2 " + distance(one));
        assertTrue(distance(one) > 2 * THRESHOLD, "two steps cannot reach the mixture: " + distance(one));
    }

    @Test
    void ddimAtTenFiftyAndTwoHundredFiftySteps() {
        for (int steps : new int[] {10, 50, 250}) {
            float[] x = Ddim.sample(noise(mixture), ALPHA_BARS, N, null, new Ddim.Settings(steps, 0, true),
                    null, new Rng(steps), Observer.none());
            System.out.println("ddim " + steps + " " + distance(x));
            assertTrue(distance(x) < THRESHOLD, steps + " steps: energy distance " + distance(x));
        }
    }

    /** eta = 0: x_T alone decides the sample, whatever stream is passed; another x_T gives another sample. */
    @Test
    void ddimWithEtaZeroIsDeterministic() {
        float[] xT = new float[20 * 2];
        Rng r = new Rng(9);
        for (int i = 0; i < xT.length; i++) {
            xT[i] = (float) r.nextGaussian();
        }
        Ddim.Settings s = new Ddim.Settings(20, 0, true);
        float[] a = Ddim.sample(noise(mixture), ALPHA_BARS, 20, null, s, xT, new Rng(1), Observer.none());
        float[] b = Ddim.sample(noise(mixture), ALPHA_BARS, 20, null, s, xT, new Rng(2), Observer.none());
        assertArrayEquals(a, b);
        xT[0] += 0.5f;
        float[] c = Ddim.sample(noise(mixture), ALPHA_BARS, 20, null, s, xT, new Rng(1), Observer.none());
        assertFalse(a[0] == c[0] && a[1] == c[1]);
        // with eta > 0 the stream matters
        Ddim.Settings noisy = new Ddim.Settings(20, 0.5, true);
        float[] d = Ddim.sample(noise(mixture), ALPHA_BARS, 20, null, noisy, a.clone(), new Rng(1), Observer.none());
        float[] e = Ddim.sample(noise(mixture), ALPHA_BARS, 20, null, noisy, a.clone(), new Rng(2), Observer.none());
        assertFalse(java.util.Arrays.equals(d, e));
    }

    /**
     * eta = 1 with every step is DDPM's ancestral sampler with the posterior variance: from the same stream the two
     * agree to float rounding, and from independent streams their samples are as close as two exact sets.
     */
    @Test
    void ddimWithEtaOneAndAllStepsMatchesDdpm() {
        Ddim.Settings ddim = new Ddim.Settings(1000, 1, true);
        Ddpm.Settings ddpm = new Ddpm.Settings(1000, Ddpm.SMALL, true);
        float[] a = Ddim.sample(noise(mixture), ALPHA_BARS, 200, null, ddim, null, new Rng(5), Observer.none());
        float[] b = Ddpm.sample(noise(mixture), ALPHA_BARS, 200, null, ddpm, null, new Rng(5), Observer.none());
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        System.out.println("ddim eta1 vs ddpm max diff " + worst);
        assertTrue(worst < 1e-3, "largest difference " + worst);
        float[] c = Ddim.sample(noise(mixture), ALPHA_BARS, N, null, ddim, null, new Rng(6), Observer.none());
        float[] d = Ddpm.sample(noise(mixture), ALPHA_BARS, N, null, ddpm, null, new Rng(7), Observer.none());
        double between = ExactMixture.energyDistance(toDoubles(c), toDoubles(d), 2);
        System.out.println("ddim eta1 vs ddpm distance " + between);
        assertTrue(between < THRESHOLD, "energy distance between DDIM(eta 1) and DDPM samples " + between);
    }

    @Test
    void annealedLangevinReproducesTheMixtureAndTooFewStepsDoNot() {
        float[] x = AnnealedLangevin.sample(score(mixture), SIGMAS, N, null,
                new AnnealedLangevin.Settings(100, 2e-5, true), null, new Rng(11), Observer.none());
        System.out.println("als " + distance(x));
        assertTrue(distance(x) < THRESHOLD, "energy distance " + distance(x));
        float[] bad = AnnealedLangevin.sample(score(mixture), SIGMAS, N, null,
                new AnnealedLangevin.Settings(3, 2e-5, true), null, new Rng(11), Observer.none());
        System.out.println("als few " + distance(bad));
        assertTrue(distance(bad) > 2 * THRESHOLD, "three steps per level do not mix: " + distance(bad));
    }

    @Test
    void predictorCorrectorOnScoresAndOnNoisePredictions() {
        float[] ve = PredictorCorrector.sampleScore(score(mixture), SIGMAS, N, null,
                new PredictorCorrector.Settings(200, 1, 0.16), null, new Rng(12), Observer.none());
        System.out.println("pc ve " + distance(ve));
        assertTrue(distance(ve) < THRESHOLD, "variance exploding: " + distance(ve));
        float[] vp = PredictorCorrector.sampleNoise(noise(mixture), ALPHA_BARS, N, null,
                new PredictorCorrector.Settings(100, 1, 0.16), true, null, new Rng(13), Observer.none());
        System.out.println("pc vp " + distance(vp));
        assertTrue(distance(vp) < THRESHOLD, "variance preserving: " + distance(vp));
    }

    /** (1 + w) f(x | c) - w f(x | none), from one call on twice the rows whose second half has label -1. */
    @Test
    void guidanceCombinesConditionalAndUnconditionalPredictions() {
        ExactMixture m = new ExactMixture(new double[][] {{-1.5, 0.5}, {1.0, -0.5}}, new double[] {0.3, 0.45},
                new double[] {0.3, 0.7}, ALPHA_BARS, SIGMAS, mixture.scaling()) {
            @Override
            public org.genbench.api.tensor.Tensor predictNoise(org.genbench.api.tensor.Tensor xt,
                    org.genbench.api.tensor.Tensor t, org.genbench.api.tensor.Tensor labels) {
                int[] lab = org.genbench.diffusion.internal.Arrays32.toInts(labels);
                float[] out = new float[(int) xt.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = lab[i / 2] < 0 ? 1 : 10 + lab[i / 2];
                }
                return org.genbench.diffusion.internal.Arrays32.floats(xt.allocator(), out, 0, (int) xt.rows(), new long[] {2});
            }
        };
        Denoiser guided = Denoiser.of((org.genbench.api.NoisePredictor) m, new long[] {2}, 2, 3.0, allocator);
        float[] out = new float[6];
        guided.apply(new float[6], 3, new double[] {5, 5, 5}, new int[] {0, 2, 7}, out);
        // (1 + 3) (10 + c) - 3 * 1
        assertArrayEquals(new float[] {37, 37, 45, 45, 65, 65}, out);
        assertEquals(6, guided.evaluations());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> guided.apply(new float[6], 3, new double[] {5, 5, 5}, null, out));
        assertTrue(e.getMessage().contains("guidance"), e.getMessage());
        Denoiser plain = noise(mixture);
        e = assertThrows(IllegalArgumentException.class, () -> plain.apply(new float[2], 1, new double[] {1001}, null, new float[2]));
        assertTrue(e.getMessage().contains("1..1000"), e.getMessage());
    }
}
