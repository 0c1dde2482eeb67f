package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** Exact log p(x) in nats. */
@ConsumerType
public interface LogDensity extends Capability {
    /** For {@code x} shaped {@code [n, ...]}, returns log p(x) as a float64 tensor {@code [n]} in x's allocator. */
    Tensor logDensity(Tensor x);
}
