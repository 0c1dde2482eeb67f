package org.genbench.diffusion;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.genbench.diffusion.internal.Noise;

/**
 * Predictor-corrector sampling (Song et al. 2021, Algorithms 2 and 3): each step corrects with {@code corrector}
 * Langevin steps at the current noise level, x <- x + e s + sqrt(2 e) z with e = 2 a (snr ||z|| / ||s||)^2, the norms
 * averaged over the examples drawn together (a = 1 for a score model, alpha_t for a diffusion model), then predicts the next level with the reverse process.
 * For a {@link org.genbench.api.NoiseConditionalScore} (variance exploding): the reverse-diffusion predictor x <- x +
 * (sigma_i^2 - sigma_{i+1}^2) s(x, sigma_i) + sqrt(sigma_i^2 - sigma_{i+1}^2) z, with sigma = 0 after the last level,
 * whose noise-free mean is returned. For a {@link org.genbench.api.NoisePredictor} (variance preserving): DDPM's
 * ancestral step (posterior variance, x0_hat clipped when the data is bounded), with the score -eps / sqrt(1 - abar_t).
 */
public final class PredictorCorrector {
    /**
     * @param steps     predictor steps (noise levels visited), at least 1
     * @param corrector Langevin corrector steps per level, >= 0 (0: the predictor alone)
     * @param snr       the corrector's signal-to-noise ratio r, > 0
     */
    public record Settings(int steps, int corrector, double snr) {
        public Settings {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, was " + steps);
            }
            if (corrector < 0) {
                throw new IllegalArgumentException("corrector must be >= 0, was " + corrector);
            }
            if (!(snr > 0) || Double.isInfinite(snr)) {
                throw new IllegalArgumentException("snr must be finite and > 0, was " + snr);
            }
        }
    }

    private PredictorCorrector() {
    }

    /** Network evaluations per example: steps x (corrector + 1). */
    public static long evaluations(Settings s) {
        return (long) s.steps() * (s.corrector() + 1);
    }

    /**
     * Variance exploding: a score model at {@code steps} levels spaced geometrically from sigmas[0] to the last of
     * {@code sigmas} (the model's own when steps equals their number).
     */
    public static float[] sampleScore(Denoiser net, double[] sigmas, int n, int[] labels, Settings s, float[] initial,
                                      Rng rng, Observer observer) {
        Schedules.checkSigmas(sigmas);
        double[] levels = s.steps() == sigmas.length ? sigmas.clone()
                : s.steps() == 1 ? new double[] {sigmas[0]}
                : Schedules.geometricSigmas(sigmas[0], sigmas[sigmas.length - 1], s.steps());
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
            noise.initial(x, n, dim, levels[0]);
        }
        float[] score = new float[len];
        float[] z = new float[len];
        double[] level = new double[n];
        int draw = 0;
        observer.step(0, levels.length, x, x);
        for (int i = 0; i < levels.length; i++) {
            Arrays.fill(level, levels[i]);
            for (int c = 0; c < s.corrector(); c++) {
                net.apply(x, n, level, labels, score);
                noise.step(draw++, z, n, dim);
                langevin(x, score, z, n, dim, s.snr(), 1.0);
            }
            net.apply(x, n, level, labels, score);
            double next = i + 1 < levels.length ? levels[i + 1] : 0;
            float dv = (float) (levels[i] * levels[i] - next * next);
            if (next > 0) {
                noise.step(draw++, z, n, dim);
                float sd = (float) Math.sqrt(dv);
                for (int j = 0; j < len; j++) {
                    x[j] += dv * score[j] + sd * z[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    x[j] += dv * score[j];
                }
            }
            observer.step(i + 1, levels.length, x, x);
        }
        return x;
    }

    /**
     * Variance preserving: a diffusion model on {@code steps} evenly spaced times of its schedule, the predictor being
     * DDPM's ancestral step (respaced when steps < T) and the corrector's score -eps / sqrt(1 - abar_t).
     */
    public static float[] sampleNoise(Denoiser net, double[] alphaBars, int n, int[] labels, Settings s, boolean clip,
                                      float[] initial, Rng rng, Observer observer) {
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
        int total = times.length;
        int draw = 0;
        observer.step(0, total, x, x);
        for (int i = total - 1; i >= 0; i--) {
            Arrays.fill(level, times[i]);
            double abPrev = i > 0 ? ab[i - 1] : 1;
            double beta = 1 - ab[i] / abPrev;
            float toScore = (float) (-1 / Math.sqrt(1 - ab[i]));
            for (int c = 0; c < s.corrector(); c++) {
                net.apply(x, n, level, labels, eps);
                for (int j = 0; j < len; j++) {
                    eps[j] *= toScore;
                }
                noise.step(draw++, z, n, dim);
                langevin(x, eps, z, n, dim, s.snr(), 1 - beta);
            }
            net.apply(x, n, level, labels, eps);
            Ddpm.predictX0(x, eps, ab[i], net.scaling(), clip, x0, len);
            if (i == 0) {
                System.arraycopy(x0, 0, x, 0, len);
            } else {
                double c1 = Math.sqrt(abPrev) * beta / (1 - ab[i]);
                double c2 = Math.sqrt(1 - beta) * (1 - abPrev) / (1 - ab[i]);
                float sd = (float) Math.sqrt(beta * (1 - abPrev) / (1 - ab[i]));
                noise.step(draw++, z, n, dim);
                float fc1 = (float) c1;
                float fc2 = (float) c2;
                for (int j = 0; j < len; j++) {
                    x[j] = fc1 * x0[j] + fc2 * x[j] + sd * z[j];
                }
            }
            observer.step(total - i, total, x, x0);
        }
        return x;
    }

    /**
     * One Langevin corrector step for every example with the step size that sets the signal-to-noise ratio, from the
     * norms of the noise and the score averaged over the examples (as score_sde does: a per-example ratio explodes
     * where the score of low-dimensional data nearly vanishes).
     */
    private static void langevin(float[] x, float[] score, float[] z, int n, int dim, double snr, double alpha) {
        double gn = 0;
        double zn = 0;
        for (int i = 0; i < n; i++) {
            int o = i * dim;
            double g = 0;
            double w = 0;
            for (int j = 0; j < dim; j++) {
                g += (double) score[o + j] * score[o + j];
                w += (double) z[o + j] * z[o + j];
            }
            gn += Math.sqrt(g) / n;
            zn += Math.sqrt(w) / n;
        }
        if (gn == 0) {
            return;
        }
        double r = snr * zn / gn;
        double e = 2 * alpha * r * r;
        float fe = (float) e;
        float sd = (float) Math.sqrt(2 * e);
        for (int j = 0; j < n * dim; j++) {
            x[j] += fe * score[j] + sd * z[j];
        }
    }
}
