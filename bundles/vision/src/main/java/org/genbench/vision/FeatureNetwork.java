package org.genbench.vision;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A network that turns images into feature vectors: what FID compares, what precision/recall and density/coverage
 * measure neighbourhoods in. An FID is only comparable with another computed with the same network,
 * weights and preprocessing, so all three are part of every FID's protocol.
 */
@ConsumerType
public interface FeatureNetwork {
    /** The name an evaluator's {@code network} setting selects it by. */
    String name();

    /** sha256 (hex) of the weights, so that two FIDs can be checked to come from the same network. */
    String sha256();

    /** What is done to images before they enter the network (scaling, flattening), in words. */
    String preprocessing();

    /**
     * Features of {@code images} ({@code [n, ...]}, any dtype) as a float64 tensor {@code [n, d]} allocated from
     * {@code images.allocator()}; the caller closes it.
     */
    Tensor features(Tensor images);
}
