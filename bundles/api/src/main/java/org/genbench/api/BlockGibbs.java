package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** Exact block conditionals of a bipartite model (RBM, DBN top layer). */
@ConsumerType
public interface BlockGibbs extends Capability {
    Tensor sampleHidden(Tensor visible, Rng rng);

    Tensor sampleVisible(Tensor hidden, Rng rng);
}
