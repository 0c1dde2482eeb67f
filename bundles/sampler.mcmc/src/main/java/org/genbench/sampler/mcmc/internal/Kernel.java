package org.genbench.sampler.mcmc.internal;

import org.genbench.api.Rng;

/**
 * One Metropolis-corrected transition applied to all chains at once. States are flat arrays {@code [chains * dim]}
 * (chain {@code c} in {@code [c * dim, (c + 1) * dim)}); chain {@code c} draws its randomness only from
 * {@code rngs[c]}, in a fixed order, so a run is reproduced exactly from its seed.
 */
abstract class Kernel {
    /** Builds a kernel at its starting states. */
    @FunctionalInterface
    interface Factory {
        Kernel create(Target target, double[] initial, Rng[] rngs);
    }

    final Target target;
    final Rng[] rngs;
    final int chains;
    final int dim;
    /** Current states. */
    final double[] x;
    /** log p~ at the current states. */
    final double[] logP;

    Kernel(Target target, double[] initial, Rng[] rngs) {
        this.target = target;
        this.rngs = rngs;
        this.chains = rngs.length;
        this.dim = target.dim();
        this.x = initial.clone();
        this.logP = new double[chains];
        target.logDensity(x, logP);
    }

    /**
     * Moves every chain once with the given step size; sets {@code accepted[c]} and returns the mean over chains
     * of the acceptance probability min(1, ratio), the statistic step-size adaptation steers.
     */
    abstract double step(double stepSize, boolean[] accepted);

    /** The current states, live (not a copy). */
    double[] states() {
        return x;
    }

    /** A NaN ratio (a proposal off the model's support, an overflowing trajectory) is a rejection. */
    static double acceptProbability(double logRatio) {
        return Double.isNaN(logRatio) ? 0.0 : Math.min(1.0, Math.exp(logRatio));
    }

    /** Draws exactly one uniform from chain {@code c}'s stream, accepted or not, to keep the streams aligned. */
    final boolean accept(int c, double probability) {
        return rngs[c].nextDouble() < probability;
    }
}
