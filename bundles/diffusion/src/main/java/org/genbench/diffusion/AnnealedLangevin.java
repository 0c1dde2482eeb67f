package org.genbench.diffusion;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.genbench.diffusion.internal.Noise;

/**
 * Annealed Langevin dynamics (Song and Ermon 2019, Algorithm 1): from x ~ N(0, sigma_1^2 I), for each noise level
 * sigma_i from the largest down, K steps of x <- x + (alpha_i / 2) s(x, sigma_i) + sqrt(alpha_i) z with alpha_i =
 * epsilon sigma_i^2 / sigma_L^2; then, optionally, one denoising step x <- x + sigma_L^2 s(x, sigma_L) (Tweedie's
 * formula; Jolicoeur-Martineau et al. 2021, Song and Ermon 2020).
 */
public final class AnnealedLangevin {
    /**
     * @param stepsPerLevel K, at least 1
     * @param epsilon       the step size at the smallest level, > 0
     * @param denoise       end with the denoising step
     */
    public record Settings(int stepsPerLevel, double epsilon, boolean denoise) {
        public Settings {
            if (stepsPerLevel < 1) {
                throw new IllegalArgumentException("stepsPerLevel must be >= 1, was " + stepsPerLevel);
            }
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be finite and > 0, was " + epsilon);
            }
        }
    }

    private AnnealedLangevin() {
    }

    /**
     * {@code n} samples in the model's space at the noise levels {@code sigmas} (largest first; the model's own, or any
     * others its continuous conditioning accepts). Steps reported: levels x K (+1 for the denoising step).
     */
    public static float[] sample(Denoiser net, double[] sigmas, int n, int[] labels, Settings s, float[] initial,
                                 Rng rng, Observer observer) {
        Schedules.checkSigmas(sigmas);
        int dim = net.dimension();
        int len = n * dim;
        Noise noise = new Noise(rng);
        float[] x = new float[len];
        if (initial != null) {
            if (initial.length != len) {
                throw new IllegalArgumentException("the initial state has " + initial.length + " values, expected " + len);
            }
            System.arraycopy(initial, 0, x, 0, len);
        } else {
            noise.initial(x, n, dim, sigmas[0]);
        }
        float[] score = new float[len];
        float[] z = new float[len];
        double[] level = new double[n];
        double last = sigmas[sigmas.length - 1];
        int total = sigmas.length * s.stepsPerLevel() + (s.denoise() ? 1 : 0);
        int done = 0;
        observer.step(0, total, x, x);
        for (double sigma : sigmas) {
            Arrays.fill(level, sigma);
            double alpha = s.epsilon() * (sigma / last) * (sigma / last);
            float half = (float) (alpha / 2);
            float sd = (float) Math.sqrt(alpha);
            for (int k = 0; k < s.stepsPerLevel(); k++) {
                net.apply(x, n, level, labels, score);
                noise.step(done, z, n, dim);
                for (int j = 0; j < len; j++) {
                    x[j] += half * score[j] + sd * z[j];
                }
                done++;
                observer.step(done, total, x, x);
            }
        }
        if (s.denoise()) {
            Arrays.fill(level, last);
            net.apply(x, n, level, labels, score);
            float v = (float) (last * last);
            for (int j = 0; j < len; j++) {
                x[j] += v * score[j];
            }
            done++;
            observer.step(done, total, x, x);
        }
        return x;
    }
}
