package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A noise-conditional score model (NCSN, Song and Ermon 2019) as its samplers see it: s(x, sigma | c), an estimate of
 * the score of the data (in the model's space, {@link #scaling()}) convolved with N(0, sigma^2 I). Each example has
 * its own noise level and, for {@link Conditional} models, its own class, so annealed Langevin dynamics,
 * predictor-corrector samplers and guidance are written once against this interface.
 */
@ConsumerType
public interface NoiseConditionalScore extends Capability {
    /** The noise levels the model was trained on, largest first (sigma_1 > ... > sigma_L > 0). */
    double[] sigmas();

    /**
     * s(x, sigma | c): float32 shaped like {@code x}, in x's allocator. {@code x} is float32 {@code [n, sampleShape...]}
     * in the model's space; {@code sigma} FLOAT32 or FLOAT64 {@code [n]}, each > 0 (levels between the trained ones are
     * interpolated by the network's continuous conditioning); {@code labels} as in {@link NoisePredictor#predictNoise}.
     */
    Tensor score(Tensor x, Tensor sigma, Tensor labels);

    /** How data values map into the model's space, and the range clean samples lie in there. */
    DataScaling scaling();
}
