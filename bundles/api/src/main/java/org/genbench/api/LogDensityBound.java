package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** A lower bound on log p(x) (ELBO, IWAE, variational lower bound). */
@ConsumerType
public interface LogDensityBound extends Capability {
    /** The bound per example, float64 {@code [n]}, in nats. */
    Tensor logDensityBound(Tensor x, Rng rng);

    /** Which bound this is, e.g. {@code elbo} or {@code iwae-k64}; reported with every number. */
    String boundName();
}
