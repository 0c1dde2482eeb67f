package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A denoising diffusion model (DDPM, Ho et al. 2020) as its samplers and bounds see it: the forward process
 * {@code x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps}, t = 1..T, in the model's space ({@link #scaling()}), and the
 * network's estimate of eps from x_t. Each example has its own time and, for {@link Conditional} models, its own class,
 * so one call serves ancestral and DDIM sampling, classifier-free guidance (a conditional and an unconditional call)
 * and per-example terms of the variational bound.
 */
@ConsumerType
public interface NoisePredictor extends Capability {
    /**
     * The cumulative signal fractions abar_1 .. abar_T (index t - 1), decreasing in (0, 1); T is the length. abar_0 = 1
     * is implied.
     */
    double[] alphaBars();

    /**
     * eps(x_t, t | c): float32 shaped like {@code xt}, in xt's allocator. {@code xt} is float32 {@code [n,
     * sampleShape...]} in the model's space; {@code t} INT32 {@code [n]}, each in 1..T; {@code labels} INT32 {@code [n]}
     * or null. A {@link Conditional} model reads a class per example, -1 (or null labels) meaning no class: the
     * unconditional prediction of classifier-free guidance, which a model trained without dropping the condition
     * refuses with a message. A model that is not conditional refuses labels.
     */
    Tensor predictNoise(Tensor xt, Tensor t, Tensor labels);

    /** How data values map into the model's space, and the range clean samples lie in there. */
    DataScaling scaling();
}
