package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A latent-variable model with an encoder and a decoder (a VAE): x to the mean of its posterior code, a code to the
 * mean of p(x | z). For reconstructions, latent maps and interpolations. {@code labels} (INT32 {@code [n]}) is
 * required by {@link Conditional} models and ignored by the others (pass null).
 */
@ConsumerType
public interface Autoencoding extends Capability {
    /** Dimension of the code z. */
    int latentDimension();

    /** The posterior mean E[z | x], float32 {@code [n, latentDimension]}, in x's allocator. */
    Tensor encode(Tensor x, Tensor labels);

    /** The mean of p(x | z), float32 {@code [n, sampleShape...]}, in z's allocator. */
    Tensor decode(Tensor z, Tensor labels);
}
