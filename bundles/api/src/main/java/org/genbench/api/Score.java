package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** The score grad_x log p(x). Noise-conditional models also implement {@link NoiseConditionalScore}. */
@ConsumerType
public interface Score extends Capability {
    /** grad_x log p(x), float64, shaped like x. */
    Tensor score(Tensor x);
}
