package org.genbench.api;

import java.util.List;
import org.genbench.api.tensor.Tensor;

/**
 * Samples shaped {@code [chains * draws, sampleShape...]}, chain-major (chain 0's draws first), plus the
 * sampler's own diagnostics (acceptance rate, R-hat). Independent samplers report {@code chains = 1}.
 * The caller owns and closes {@code samples}.
 */
public record SampleResult(Tensor samples, int chains, List<Metric> diagnostics) implements AutoCloseable {
    /**
     * The diagnostic in which a sampler that walks a number of steps per sample (a reverse diffusion, annealed
     * Langevin) reports it; a run plots its evaluators' per-sampler scores against it.
     */
    public static final String STEPS = "sampling_steps";
    /**
     * The key, in that diagnostic's protocol, of the sampler's settings other than the steps (e.g. {@code ddim eta=0}):
     * samplers of one series are joined by a line in those plots.
     */
    public static final String SERIES = "series";

    public SampleResult {
        if (chains < 1) {
            throw new IllegalArgumentException("chains must be >= 1, was " + chains);
        }
        if (samples.shape()[0] % chains != 0) {
            throw new IllegalArgumentException("sample count " + samples.shape()[0] + " is not a multiple of chains " + chains);
        }
        diagnostics = List.copyOf(diagnostics);
    }

    @Override
    public void close() {
        samples.close();
    }
}
