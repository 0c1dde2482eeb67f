package org.genbench.sampler.mcmc.internal;

/** Validation shared by the samplers' config records, so every field is refused with the same wording. */
final class Checks {
    private Checks() {
    }

    static void atLeast(String field, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", was " + value);
        }
    }

    static void positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be > 0 and finite, was " + value);
        }
    }
}
