package org.genbench.sampler.mcmc.internal;

/**
 * The validated settings every chain runner needs, unboxed; each sampler's own {@code Config} record holds the
 * defaults and produces one of these.
 */
record Settings(int chains, int draws, int warmup, int thin, double stepSize, boolean adapt, double initScale) {
}
