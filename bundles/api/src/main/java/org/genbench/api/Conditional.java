package org.genbench.api;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** The model accepts a condition c (a class label): p(x | c). */
@ConsumerType
public interface Conditional extends Capability {
    int numClasses();

    /** One sample per label, shaped {@code [n, sampleShape...]}; {@code labels} is an INT32 tensor {@code [n]}. */
    Tensor sample(Tensor labels, Rng rng, BufferAllocator allocator);
}
