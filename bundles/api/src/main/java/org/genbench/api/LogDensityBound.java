package org.genbench.api;

import java.util.Map;
import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** A lower bound on log p(x) (ELBO, IWAE, variational lower bound). */
@ConsumerType
public interface LogDensityBound extends Capability {
    /** The bound per example, float64 {@code [n]}, in nats. */
    Tensor logDensityBound(Tensor x, Rng rng);

    /** Which bound this is, e.g. {@code elbo} or {@code iwae-k64}; reported with every number. */
    String boundName();

    /**
     * What else the numbers of the latest {@link #logDensityBound} call depend on, for a metric's protocol: e.g. an
     * estimated normalizing constant and its standard error, shared by every example. Empty by default.
     */
    default Map<String, Object> boundProtocol() {
        return Map.of();
    }
}
