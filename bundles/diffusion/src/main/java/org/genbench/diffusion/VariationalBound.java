package org.genbench.diffusion;

import java.util.Arrays;
import org.genbench.api.DataScaling;
import org.genbench.api.Rng;
import org.genbench.diffusion.internal.Gauss;
import org.genbench.diffusion.internal.Noise;

/**
 * DDPM's variational bound on the log-probability of discrete data (Ho et al. 2020, eq. 5, with the discretized
 * Gaussian decoder of their section 3.3), per example in nats, written against any {@link Denoiser} of a noise
 * predictor:
 *
 * <pre>
 *   log P(x_0) >= -KL(q(x_T | x_0) || N(0, I)) - sum_{t=2..T} E_q KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t))
 *                 + E_q log p(x_0 | x_1)
 * </pre>
 *
 * p(x_{t-1} | x_t) has the mean of the forward posterior at x0_hat (clipped to the data's range when asked) and
 * variance beta~_t ({@code small}) or beta_t ({@code large}); the decoder p(x_0 | x_1) integrates N(x0_hat, beta~_2)
 * over each value's bin of the grid of {@code levels} evenly spaced values on [low, high] (the outer bins reaching to
 * infinity), as improved-diffusion does; for continuous data ({@code levels} 0) the decoder is the density
 * N(x_0; x0_hat, beta~_2), and the bound is one on log p(x_0). Each expectation over x_t is estimated with one draw per example. With
 * {@code terms} below T - 1, the sum over t is estimated without bias by stratified sampling: {2..T} cut into
 * {@code terms} contiguous strata, one time drawn uniformly per stratum and example, weighted by the stratum's size.
 * Bits per dimension follow the api's one convention, {@code Dequantization.bitsPerDim} (as {@code loglik} reports
 * them).
 */
public final class VariationalBound {
    /**
     * @param terms    KL terms evaluated per example, 1..T-1 (T - 1: the whole sum, no sampling of times)
     * @param variance {@code small} or {@code large}, as in {@link Ddpm}
     * @param clip     clip x0_hat to the data's range
     * @param levels   values of the discrete data per dimension (256 for 8-bit), >= 2; or 0 for continuous data
     */
    public record Settings(int terms, String variance, boolean clip, int levels) {
        public Settings {
            if (terms < 1) {
                throw new IllegalArgumentException("terms must be >= 1, was " + terms);
            }
            if (!Ddpm.SMALL.equals(variance) && !Ddpm.LARGE.equals(variance)) {
                throw new IllegalArgumentException("variance must be 'small' or 'large', was '" + variance + "'");
            }
            if (levels < 2 && levels != 0) {
                throw new IllegalArgumentException("levels must be >= 2, or 0 for continuous data, was " + levels);
            }
        }
    }

    /**
     * Per example, in nats: the bound and its three parts, -L_T (prior), -sum L_{t-1} (diffusion) and log p(x_0 | x_1)
     * (decoder); bound = prior + diffusion + decoder.
     */
    public record Result(double[] bound, double[] prior, double[] diffusion, double[] decoder) {
        /** The mean of per-example values. */
        public static double mean(double[] v) {
            double s = 0;
            for (double x : v) {
                s += x;
            }
            return s / v.length;
        }
    }

    private VariationalBound() {
    }

    /**
     * The bound for {@code n} examples {@code x0} in the model's space: with {@code levels} > 0, each value on the grid
     * (see the class comment; values are snapped to the nearest grid point), a bound on log P(x_0); with levels 0, a
     * bound on the density. {@code labels} one per example or null.
     */
    public static Result compute(Denoiser net, double[] alphaBars, float[] x0, int n, int[] labels, Settings s,
                                  Rng rng) {
        DataScaling sc = net.scaling();
        boolean discrete = s.levels() > 0;
        if (discrete && (!Double.isFinite(sc.low()) || !Double.isFinite(sc.high()))) {
            throw new IllegalArgumentException("a discrete bound needs bounded data; the model's range is [" + sc.low()
                    + ", " + sc.high() + "]");
        }
        Schedules.checkAlphaBars(alphaBars);
        int timesteps = alphaBars.length;
        if (timesteps < 2) {
            throw new IllegalArgumentException("the bound needs at least 2 timesteps, the model has " + timesteps);
        }
        if (s.terms() > timesteps - 1) {
            throw new IllegalArgumentException("terms must be in 1.." + (timesteps - 1) + ", was " + s.terms());
        }
        int dim = net.dimension();
        int len = n * dim;
        double low = sc.low();
        double high = sc.high();
        double delta = discrete ? (high - low) / (s.levels() - 1) : 0;
        float[] x = new float[len];
        for (int j = 0; j < len; j++) {
            if (discrete) {
                long k = Math.round((x0[j] - low) / delta);
                k = Math.max(0, Math.min(s.levels() - 1, k));
                x[j] = (float) (low + k * delta);
            } else {
                x[j] = x0[j];
            }
        }
        boolean clip = s.clip() && sc.bounded();
        double[] bound = new double[n];
        double[] prior = new double[n];
        double[] diffusion = new double[n];
        double[] decoder = new double[n];

        // L_T: KL(N(sqrt(abar_T) x0, 1 - abar_T) || N(0, 1)), in closed form
        double abT = alphaBars[timesteps - 1];
        for (int i = 0; i < n; i++) {
            double kl = 0;
            for (int j = 0; j < dim; j++) {
                double m = Math.sqrt(abT) * x[i * dim + j];
                kl += 0.5 * ((1 - abT) + m * m - 1 - Math.log(1 - abT));
            }
            bound[i] -= kl;
            prior[i] = -kl;
        }

        Noise noise = new Noise(rng.split("x_t"));
        Rng timeRng = rng.split("t");
        float[] xt = new float[len];
        float[] eps = new float[len];
        float[] pred = new float[len];
        double[] level = new double[n];
        double[] ab = new double[n];

        // sum_{t=2..T} L_{t-1}: strata of {2..T}
        int count = timesteps - 1;
        for (int k = 0; k < s.terms(); k++) {
            int from = 2 + (int) ((long) k * count / s.terms());
            int to = 2 + (int) ((long) (k + 1) * count / s.terms()); // exclusive
            int size = to - from;
            Rng stratum = timeRng.split(k);
            for (int i = 0; i < n; i++) {
                int t = size == 1 ? from : from + stratum.split(i).nextInt(size);
                level[i] = t;
                ab[i] = alphaBars[t - 1];
            }
            noise.step(k, eps, n, dim);
            diffuse(x, eps, ab, n, dim, xt);
            net.apply(xt, n, level, labels, pred);
            for (int i = 0; i < n; i++) {
                int t = (int) level[i];
                double a = ab[i];
                double aPrev = alphaBars[t - 2];
                double beta = 1 - a / aPrev;
                double posterior = beta * (1 - aPrev) / (1 - a);
                double var = s.variance().equals(Ddpm.SMALL) ? posterior : beta;
                double c1 = Math.sqrt(aPrev) * beta / (1 - a);
                double sq = 0;
                double ra = 1 / Math.sqrt(a);
                double rb = Math.sqrt(1 - a) / Math.sqrt(a);
                for (int j = 0; j < dim; j++) {
                    int o = i * dim + j;
                    double x0hat = ra * xt[o] - rb * pred[o];
                    if (clip) {
                        x0hat = Math.max(low, Math.min(high, x0hat));
                    }
                    double d = x[o] - x0hat;
                    sq += d * d;
                }
                double kl = 0.5 * (dim * (Math.log(var / posterior) + posterior / var - 1) + c1 * c1 * sq / var);
                double weighted = kl * size;
                bound[i] -= weighted;
                diffusion[i] -= weighted;
            }
        }

        // L_0: the discretized Gaussian decoder at t = 1, scale sqrt(beta~_2)
        double a1 = alphaBars[0];
        double decoderVar = (1 - alphaBars[1] / a1) * (1 - a1) / (1 - alphaBars[1]);
        double decoderSd = Math.sqrt(decoderVar);
        Arrays.fill(level, 1);
        Arrays.fill(ab, a1);
        noise.step(s.terms(), eps, n, dim);
        diffuse(x, eps, ab, n, dim, xt);
        net.apply(xt, n, level, labels, pred);
        double ra = 1 / Math.sqrt(a1);
        double rb = Math.sqrt(1 - a1) / Math.sqrt(a1);
        double halfBin = delta / 2;
        for (int i = 0; i < n; i++) {
            double ll = 0;
            for (int j = 0; j < dim; j++) {
                int o = i * dim + j;
                double mean = ra * xt[o] - rb * pred[o];
                if (clip) {
                    mean = Math.max(low, Math.min(high, mean));
                }
                double v = x[o];
                if (discrete) {
                    double lo = v - halfBin <= low ? Double.NEGATIVE_INFINITY : (v - halfBin - mean) / decoderSd;
                    double hi = v + halfBin >= high ? Double.POSITIVE_INFINITY : (v + halfBin - mean) / decoderSd;
                    ll += Gauss.logIntervalProbability(lo, hi);
                } else {
                    double zz = (v - mean) / decoderSd;
                    ll += -0.5 * zz * zz - Math.log(decoderSd) - 0.5 * Math.log(2 * Math.PI);
                }
            }
            bound[i] += ll;
            decoder[i] = ll;
        }
        return new Result(bound, prior, diffusion, decoder);
    }

    private static void diffuse(float[] x0, float[] eps, double[] ab, int n, int dim, float[] out) {
        for (int i = 0; i < n; i++) {
            float a = (float) Math.sqrt(ab[i]);
            float b = (float) Math.sqrt(1 - ab[i]);
            for (int j = 0; j < dim; j++) {
                int o = i * dim + j;
                out[o] = a * x0[o] + b * eps[o];
            }
        }
    }
}
