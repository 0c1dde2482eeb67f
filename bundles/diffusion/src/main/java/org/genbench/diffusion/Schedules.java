package org.genbench.diffusion;

import java.util.Arrays;

/**
 * Noise schedules: DDPM's betas (linear, Ho et al. 2020; cosine, Nichol and Dhariwal 2021) and their cumulative
 * products, NCSN's geometric noise levels (Song and Ermon 2019), and the evenly spaced time subsequences that DDIM and
 * respaced DDPM sampling walk. Times are 1-based: beta_t for t = 1..T is {@code betas[t - 1]}.
 */
public final class Schedules {
    public static final String LINEAR = "linear";
    public static final String COSINE = "cosine";

    private Schedules() {
    }

    /**
     * beta_1..beta_T by name: {@code linear} from 1e-4 to 0.02 at T = 1000, both scaled by 1000 / T for other T (as
     * improved-diffusion does, so the total noise stays comparable); {@code cosine}: abar(t) = f(t) / f(0) with f(t) =
     * cos^2(((t / T) + s) / (1 + s) pi / 2), s = 0.008, each beta clipped to at most 0.999.
     */
    public static double[] betas(String name, int timesteps) {
        if (timesteps < 1) {
            throw new IllegalArgumentException("timesteps must be >= 1, was " + timesteps);
        }
        return switch (name) {
            case LINEAR -> {
                double scale = 1000.0 / timesteps;
                yield linear(scale * 1e-4, Math.min(0.999, scale * 0.02), timesteps);
            }
            case COSINE -> cosine(timesteps, 0.008);
            default -> throw new IllegalArgumentException("schedule must be 'linear' or 'cosine', was '" + name + "'");
        };
    }

    /** beta_t evenly spaced from {@code start} to {@code end} (inclusive), each in (0, 1). */
    public static double[] linear(double start, double end, int timesteps) {
        if (!(start > 0 && start < 1) || !(end > 0 && end < 1)) {
            throw new IllegalArgumentException("betas must be in (0, 1), were " + start + " and " + end);
        }
        double[] b = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            b[i] = timesteps == 1 ? start : start + (end - start) * i / (timesteps - 1);
        }
        return b;
    }

    /** The cosine schedule with offset {@code s}. */
    public static double[] cosine(int timesteps, double s) {
        double[] b = new double[timesteps];
        double f0 = cosineF(0, timesteps, s);
        double prev = 1;
        for (int t = 1; t <= timesteps; t++) {
            double ab = cosineF(t, timesteps, s) / f0;
            b[t - 1] = Math.min(0.999, 1 - ab / prev);
            prev = ab;
        }
        return b;
    }

    private static double cosineF(int t, int timesteps, double s) {
        double c = Math.cos(((double) t / timesteps + s) / (1 + s) * Math.PI / 2);
        return c * c;
    }

    /** abar_t = prod_{s <= t} (1 - beta_s). */
    public static double[] alphaBars(double[] betas) {
        double[] ab = new double[betas.length];
        double p = 1;
        for (int i = 0; i < betas.length; i++) {
            p *= 1 - betas[i];
            ab[i] = p;
        }
        return ab;
    }

    /** The betas of a subsequence of abar values: beta_i = 1 - abar_i / abar_{i-1}, abar_0 = 1. */
    public static double[] betasOf(double[] alphaBars) {
        double[] b = new double[alphaBars.length];
        double prev = 1;
        for (int i = 0; i < alphaBars.length; i++) {
            b[i] = 1 - alphaBars[i] / prev;
            prev = alphaBars[i];
        }
        return b;
    }

    /** Checks that abar is a valid schedule (decreasing, in (0, 1)); names the first bad index. */
    public static void checkAlphaBars(double[] ab) {
        if (ab == null || ab.length == 0) {
            throw new IllegalArgumentException("the model reports no alpha-bar schedule");
        }
        double prev = 1;
        for (int i = 0; i < ab.length; i++) {
            if (!(ab[i] > 0 && ab[i] < prev)) {
                throw new IllegalArgumentException("alpha-bar must decrease within (0, 1); abar_" + (i + 1) + " = " + ab[i]
                        + " after " + prev);
            }
            prev = ab[i];
        }
    }

    /** sigma_i = max (min / max)^((i - 1) / (L - 1)), i = 1..L: largest first. */
    public static double[] geometricSigmas(double max, double min, int levels) {
        if (!(min > 0) || !(max > min) || !Double.isFinite(max)) {
            throw new IllegalArgumentException("noise levels need 0 < sigmaMin < sigmaMax, were " + min + " and " + max);
        }
        if (levels < 2) {
            throw new IllegalArgumentException("levels must be >= 2, was " + levels);
        }
        double[] s = new double[levels];
        for (int i = 0; i < levels; i++) {
            s[i] = max * Math.pow(min / max, (double) i / (levels - 1));
        }
        return s;
    }

    /** Checks that sigma is decreasing and positive; names the first bad index. */
    public static void checkSigmas(double[] sigmas) {
        if (sigmas == null || sigmas.length == 0) {
            throw new IllegalArgumentException("the model reports no noise levels");
        }
        for (int i = 0; i < sigmas.length; i++) {
            if (!(sigmas[i] > 0) || !Double.isFinite(sigmas[i]) || (i > 0 && !(sigmas[i] < sigmas[i - 1]))) {
                throw new IllegalArgumentException("noise levels must be positive and decrease; sigma_" + (i + 1) + " = "
                        + sigmas[i]);
            }
        }
    }

    /**
     * {@code steps} times from 1..T, evenly spaced with both ends included, ascending: t_i = round(1 + i (T - 1) /
     * (steps - 1)). One step is {@code [T]}; T steps are every time.
     */
    public static int[] spacedTimes(int timesteps, int steps) {
        if (steps < 1 || steps > timesteps) {
            throw new IllegalArgumentException("steps must be in 1.." + timesteps + " (the model's timesteps), was " + steps);
        }
        int[] t = new int[steps];
        if (steps == 1) {
            t[0] = timesteps;
            return t;
        }
        for (int i = 0; i < steps; i++) {
            t[i] = (int) Math.round(1 + (double) i * (timesteps - 1) / (steps - 1));
        }
        return t;
    }

    /** abar at the given (1-based) times. */
    public static double[] at(double[] alphaBars, int[] times) {
        return Arrays.stream(times).mapToDouble(t -> alphaBars[t - 1]).toArray();
    }
}
