package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A stack of models trained greedily, bottom-up (a deep belief net's RBMs; Hinton, Osindero and Teh 2006): layer
 * {@code l} is trained as a model of its own on the data passed up through layers {@code 0..l-1}, which stay fixed
 * from then on. A trainer for the layers' own capability (contrastive divergence for RBMs) trains each in turn.
 */
@ConsumerType
public interface LayerwiseTrainable extends Capability {
    int layerCount();

    /**
     * Layer {@code index} as a model with the capabilities of its kind (a DBN layer: {@link ContrastiveTrainable},
     * {@link BlockGibbs}, {@link Energy}) and the data description of its input. A live view: training it trains this
     * model. Owned by this model; do not close it.
     */
    Model layer(int index);

    /**
     * {@code x} passed up to the input of layer {@code index}, shaped {@code [n, layer(index).data().sampleShape()...]}:
     * a copy of x for index 0. All randomness (a DBN samples its hidden units on the way up) from {@code rng}.
     */
    Tensor propagateUp(int index, Tensor x, Rng rng);
}
