package org.genbench.diffusion.internal;

import org.genbench.api.Rng;

/**
 * Gaussian noise with one stream per example and step, split from the sampler's stream, so an example's noise does not
 * depend on how many others are drawn with it or on the batch size the network runs at.
 */
public final class Noise {
    private final Rng initial;
    private final Rng steps;

    public Noise(Rng rng) {
        this.initial = rng.split("init");
        this.steps = rng.split("noise");
    }

    /** x_T: {@code scale} times standard normal values for examples 0..n-1. */
    public void initial(float[] x, int n, int dim, double scale) {
        for (int i = 0; i < n; i++) {
            fill(initial.split(i), x, i * dim, dim, scale);
        }
    }

    /** Standard normal values for step {@code step} (any distinct index per draw within a run). */
    public void step(int step, float[] z, int n, int dim) {
        Rng s = steps.split(step);
        for (int i = 0; i < n; i++) {
            fill(s.split(i), z, i * dim, dim, 1);
        }
    }

    private static void fill(Rng r, float[] out, int offset, int len, double scale) {
        for (int j = 0; j < len; j++) {
            out[offset + j] = (float) (scale * r.nextGaussian());
        }
    }
}
