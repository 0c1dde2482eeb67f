package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A model with a discrete latent variable that assigns examples to clusters: a mixture's posterior over its
 * components, p(k | x). The {@code structure} evaluator scores the assignments against the data's labels (adjusted
 * Rand index, normalized mutual information), which the model never saw.
 */
@ConsumerType
public interface Clustering extends Capability {
    /** Number of clusters k. */
    int clusters();

    /**
     * p(k | x) for x {@code [n, sampleShape...]}: float64 {@code [n, clusters]}, rows summing to 1, allocated from
     * x's allocator.
     */
    Tensor assignments(Tensor x);
}
