package org.genbench.api;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** x = G(z): draws independent samples in one pass from noise (ancestral sampling). */
@ConsumerType
public interface DirectSampling extends Capability {
    /** Returns {@code n} samples shaped {@code [n, sampleShape...]}, allocated from {@code allocator}. */
    Tensor sample(int n, Rng rng, BufferAllocator allocator);
}
