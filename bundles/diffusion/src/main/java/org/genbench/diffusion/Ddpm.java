package org.genbench.diffusion;

import org.genbench.api.DataScaling;
import org.genbench.api.Rng;
import org.genbench.diffusion.internal.Noise;

/**
 * Ancestral sampling of a DDPM (Ho et al. 2020, Algorithm 2): from x_T ~ N(0, I), x_{t-1} ~ p(x_{t-1} | x_t) =
 * N(mu(x_t, x0_hat), sigma_t^2 I), where x0_hat = (x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t) is clipped to the data's
 * range when it is bounded, mu is the mean of the forward process's posterior q(x_{t-1} | x_t, x_0 = x0_hat), and
 * sigma_t^2 is that posterior's variance ({@code small}, beta~_t) or beta_t ({@code large}). The last step returns
 * x0_hat. With fewer steps than T it walks an evenly spaced subsequence with the betas that keep abar at the visited
 * times (Nichol and Dhariwal 2021's respacing).
 */
public final class Ddpm {
    public static final String SMALL = "small";
    public static final String LARGE = "large";

    /**
     * @param steps    reverse steps, 1..T; T walks every time
     * @param variance {@code small} (posterior variance) or {@code large} (beta)
     * @param clip     clip x0_hat to the data's range when it is bounded
     */
    public record Settings(int steps, String variance, boolean clip) {
        public Settings {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, was " + steps);
            }
            if (!SMALL.equals(variance) && !LARGE.equals(variance)) {
                throw new IllegalArgumentException("variance must be 'small' or 'large', was '" + variance + "'");
            }
        }
    }

    private Ddpm() {
    }

    /**
     * {@code n} samples in the model's space; {@code initial} (n * dimension values) is x_T, or null to draw it from
     * {@code rng}, which also gives each step's noise.
     */
    public static float[] sample(Denoiser net, double[] alphaBars, int n, int[] labels, Settings s, float[] initial,
                                 Rng rng, Observer observer) {
        int timesteps = alphaBars.length;
        if (s.steps() > timesteps) {
            throw new IllegalArgumentException("steps must be in 1.." + timesteps + " (the model's timesteps), was " + s.steps());
        }
        int[] times = Schedules.spacedTimes(timesteps, s.steps());
        double[] ab = Schedules.at(alphaBars, times);
        int dim = net.dimension();
        Noise noise = new Noise(rng);
        float[] x = start(initial, n, dim, noise);
        float[] eps = new float[n * dim];
        float[] x0 = new float[n * dim];
        float[] z = new float[n * dim];
        double[] level = new double[n];
        int total = times.length;
        observer.step(0, total, x, x);
        for (int i = total - 1; i >= 0; i--) {
            java.util.Arrays.fill(level, times[i]);
            net.apply(x, n, level, labels, eps);
            double abPrev = i > 0 ? ab[i - 1] : 1;
            predictX0(x, eps, ab[i], net.scaling(), s.clip(), x0, n * dim);
            if (i == 0) {
                System.arraycopy(x0, 0, x, 0, n * dim);
            } else {
                double beta = 1 - ab[i] / abPrev;
                double c1 = Math.sqrt(abPrev) * beta / (1 - ab[i]);
                double c2 = Math.sqrt(1 - beta) * (1 - abPrev) / (1 - ab[i]);
                double var = s.variance().equals(SMALL) ? beta * (1 - abPrev) / (1 - ab[i]) : beta;
                noise.step(total - i, z, n, dim);
                float fc1 = (float) c1;
                float fc2 = (float) c2;
                float sd = (float) Math.sqrt(var);
                for (int j = 0; j < n * dim; j++) {
                    x[j] = fc1 * x0[j] + fc2 * x[j] + sd * z[j];
                }
            }
            observer.step(total - i, total, x, x0);
        }
        return x;
    }

    static float[] start(float[] initial, int n, int dim, Noise noise) {
        float[] x = new float[n * dim];
        if (initial != null) {
            if (initial.length != n * dim) {
                throw new IllegalArgumentException("the initial state has " + initial.length + " values, expected " + n * dim);
            }
            System.arraycopy(initial, 0, x, 0, x.length);
        } else {
            noise.initial(x, n, dim, 1);
        }
        return x;
    }

    /** x0_hat = (x - sqrt(1 - abar) eps) / sqrt(abar), clipped to the scaling's range when asked and bounded. */
    static void predictX0(float[] x, float[] eps, double ab, DataScaling scaling, boolean clip, float[] x0, int len) {
        float a = (float) (1 / Math.sqrt(ab));
        float b = (float) (Math.sqrt(1 - ab) / Math.sqrt(ab));
        for (int j = 0; j < len; j++) {
            x0[j] = a * x[j] - b * eps[j];
        }
        if (clip && scaling.bounded()) {
            float lo = (float) scaling.low();
            float hi = (float) scaling.high();
            for (int j = 0; j < len; j++) {
                x0[j] = Math.max(lo, Math.min(hi, x0[j]));
            }
        }
    }
}
