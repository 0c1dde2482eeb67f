package org.genbench.api;

import java.util.List;
import org.genbench.api.tensor.Tensor;

/**
 * Samples shaped {@code [chains * draws, sampleShape...]}, chain-major (chain 0's draws first), plus the
 * sampler's own diagnostics (acceptance rate, R-hat). Independent samplers report {@code chains = 1}.
 * The caller owns and closes {@code samples}.
 */
public record SampleResult(Tensor samples, int chains, List<Metric> diagnostics) implements AutoCloseable {
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
