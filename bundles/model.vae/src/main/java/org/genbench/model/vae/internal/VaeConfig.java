package org.genbench.model.vae.internal;

import java.util.List;

/** Checks shared by the {@code vae} and {@code cvae} families' settings. */
final class VaeConfig {
    static final String MLP = "mlp";
    static final String CONV = "conv";
    static final String BERNOULLI = "bernoulli";
    static final String GAUSSIAN = "gaussian";
    static final String MEAN = "mean";
    static final String DRAW = "draw";
    static final List<String> LIKELIHOODS = List.of(BERNOULLI, GAUSSIAN);
    static final List<String> OUTPUTS = List.of(MEAN, DRAW);

    private VaeConfig() {
    }

    static void check(String architecture, int hidden, int latent, String likelihood, double sigma, int boundSamples,
                      String sampleOutput) {
        if (!architecture.equals(MLP) && !architecture.equals(CONV)) {
            throw new IllegalArgumentException("architecture must be 'mlp' or 'conv', was '" + architecture + "'");
        }
        if (hidden < 1 || hidden > 8192) {
            throw new IllegalArgumentException("hidden must be in 1..8192, was " + hidden);
        }
        if (latent < 1 || latent > 1024) {
            throw new IllegalArgumentException("latent must be in 1..1024, was " + latent);
        }
        if (!LIKELIHOODS.contains(likelihood)) {
            throw new IllegalArgumentException("likelihood must be one of " + LIKELIHOODS + ", was '" + likelihood + "'");
        }
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("sigma must be finite and > 0, was " + sigma);
        }
        if (boundSamples < 1 || boundSamples > 100000) {
            throw new IllegalArgumentException("boundSamples must be in 1..100000, was " + boundSamples);
        }
        if (!OUTPUTS.contains(sampleOutput)) {
            throw new IllegalArgumentException("sampleOutput must be one of " + OUTPUTS + ", was '" + sampleOutput + "'");
        }
    }
}
