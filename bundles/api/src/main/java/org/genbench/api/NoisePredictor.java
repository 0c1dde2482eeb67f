package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** eps(x_t, t) of a denoising diffusion model, with its noise schedule. */
@ConsumerType
public interface NoisePredictor extends Capability {
    Tensor predictNoise(Tensor xt, int t);

    /** The cumulative signal fractions alpha-bar_t for t = 0..T-1. */
    double[] alphaBars();
}
