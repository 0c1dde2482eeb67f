package org.genbench.sampler.mcmc.internal;

import java.util.List;
import org.genbench.api.DataSize;
import org.genbench.api.MemoryDemand;

/** Validation shared by the samplers' config records, so every field is refused with the same wording. */
final class Checks {
    /**
     * Iterations per chain (warmup + draws * thin). MALA with 4 chains on 2-D data takes about 2.3 ms an iteration on
     * one thread, so 10^7 iterations are six hours; more is a typing mistake, not an experiment.
     */
    static final long MAX_ITERATIONS = 10_000_000L;
    /** Every iteration steps every chain; beyond this a run is better split into several. */
    static final int MAX_CHAINS = 10_000;
    /** Gradient evaluations per HMC iteration. */
    static final int MAX_LEAPFROG = 1_000;
    /**
     * Step sizes and initial scales are in the data's units (toy data span about +-4, images [0, 1]); a step of 10^4
     * such units is accepted by no chain, so a larger one is a typing mistake.
     */
    static final double MAX_SCALE = 1e4;

    private Checks() {
    }

    static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", was " + value);
        }
    }

    static void atMost(String field, int value, int max, String why) {
        if (value > max) {
            throw new IllegalArgumentException(field + " must be <= " + max + " (" + why + "), was " + value);
        }
    }

    static void positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be > 0 and finite, was " + value);
        }
        if (value > MAX_SCALE) {
            throw new IllegalArgumentException(field + " must be <= " + (long) MAX_SCALE + " (in the data's units), was " + value);
        }
    }

    /** The bounds every sampler shares: chains, and iterations per chain (named by the field that dominates). */
    static void common(int chains, int draws, int warmup, int thin) {
        atLeast("chains", chains, 1);
        atMost("chains", chains, MAX_CHAINS, "every iteration steps every chain");
        atLeast("draws", draws, 4);
        atLeast("warmup", warmup, 0);
        atLeast("thin", thin, 1);
        long iterations = warmup + (long) draws * thin;
        if (iterations > MAX_ITERATIONS) {
            String field = warmup > (long) draws * thin ? "warmup" : thin > draws ? "thin" : "draws";
            throw new IllegalArgumentException(field + " gives warmup + draws * thin = " + iterations
                    + " iterations per chain, more than " + MAX_ITERATIONS + " (hours of sampling even on 2-D data)");
        }
    }

    /** Draws are stored as doubles, chain-major, and copied per dimension once for the diagnostics. */
    static List<MemoryDemand> memory(int chains, int draws, DataSize data) {
        long perDraw = (long) chains * (data.dimension() * 8 + 8);
        return List.of(new MemoryDemand("draws", draws, perDraw, "draws of " + chains + " chains x " + data.dimension()
                + " values"));
    }
}
