package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** An unnormalized density p~(x) = exp(-E(x)) with the gradient of E in x. */
@ConsumerType
public interface Energy extends Capability {
    /** E(x) per example, float64 {@code [n]}. */
    Tensor energy(Tensor x);

    /** dE/dx, float64, shaped like x. */
    Tensor energyGradient(Tensor x);
}
