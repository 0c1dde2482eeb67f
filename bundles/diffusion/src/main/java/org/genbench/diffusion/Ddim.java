package org.genbench.diffusion;

import org.genbench.api.Rng;
import org.genbench.diffusion.internal.Noise;

/**
 * DDIM sampling (Song, Meng and Ermon 2021, eq. 12) on an evenly spaced subsequence of S times of a DDPM's schedule:
 * x_prev = sqrt(abar_prev) x0_hat + sqrt(1 - abar_prev - sigma^2) eps + sigma z with sigma = eta sqrt((1 - abar_prev) /
 * (1 - abar)) sqrt(1 - abar / abar_prev). With eta = 0 the map from x_T to the sample is deterministic; with eta = 1 and
 * S = T the step is DDPM's ancestral step with the posterior variance. When x0_hat is clipped, eps is recomputed from
 * it, so that the update stays the posterior step it is for every eta.
 */
public final class Ddim {
    /**
     * @param steps reverse steps S, 1..T
     * @param eta   stochasticity, >= 0 (0: deterministic; 1: DDPM's variance)
     * @param clip  clip x0_hat to the data's range when it is bounded
     */
    public record Settings(int steps, double eta, boolean clip) {
        public Settings {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, was " + steps);
            }
            if (!(eta >= 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("eta must be finite and >= 0, was " + eta);
            }
        }
    }

    private Ddim() {
    }

    /** As {@link Ddpm#sample}; with eta = 0 nothing is drawn after x_T. */
    public static float[] sample(Denoiser net, double[] alphaBars, int n, int[] labels, Settings s, float[] initial,
                                 Rng rng, Observer observer) {
        int timesteps = alphaBars.length;
        if (s.steps() > timesteps) {
            throw new IllegalArgumentException("steps must be in 1.." + timesteps + " (the model's timesteps), was " + s.steps());
        }
        int[] times = Schedules.spacedTimes(timesteps, s.steps());
        double[] ab = Schedules.at(alphaBars, times);
        int dim = net.dimension();
        int len = n * dim;
        Noise noise = new Noise(rng);
        float[] x = Ddpm.start(initial, n, dim, noise);
        float[] eps = new float[len];
        float[] x0 = new float[len];
        float[] z = new float[len];
        double[] level = new double[n];
        boolean clip = s.clip() && net.scaling().bounded();
        int total = times.length;
        observer.step(0, total, x, x);
        for (int i = total - 1; i >= 0; i--) {
            java.util.Arrays.fill(level, times[i]);
            net.apply(x, n, level, labels, eps);
            Ddpm.predictX0(x, eps, ab[i], net.scaling(), clip, x0, len);
            if (clip) {
                float a = (float) Math.sqrt(ab[i]);
                float b = (float) (1 / Math.sqrt(1 - ab[i]));
                for (int j = 0; j < len; j++) {
                    eps[j] = (x[j] - a * x0[j]) * b;
                }
            }
            double abPrev = i > 0 ? ab[i - 1] : 1;
            double sigma = s.eta() * Math.sqrt((1 - abPrev) / (1 - ab[i])) * Math.sqrt(1 - ab[i] / abPrev);
            float ca = (float) Math.sqrt(abPrev);
            float cb = (float) Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma));
            if (sigma > 0) {
                noise.step(total - i, z, n, dim);
                float sd = (float) sigma;
                for (int j = 0; j < len; j++) {
                    x[j] = ca * x0[j] + cb * eps[j] + sd * z[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    x[j] = ca * x0[j] + cb * eps[j];
                }
            }
            observer.step(total - i, total, x, x0);
        }
        return x;
    }
}
