package org.genbench.api;

import java.util.Map;
import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Features a model computes from data, for learners downstream of it: a VAE's posterior means and its encoder's
 * last hidden layer, a GAN discriminator's last hidden layer, an RBM's hidden unit probabilities. A linear probe
 * trained on a representation says how much of the labels it makes linearly available (the {@code probe}
 * evaluator), against the same probe on raw pixels.
 */
@ConsumerType
public interface Representation extends Capability {
    /**
     * The representations this model offers, by name (e.g. {@code latent-mean}, {@code encoder-hidden},
     * {@code discriminator-hidden}) with the number of features each has, in a fixed order (the first is the
     * model's main one).
     */
    Map<String, Integer> representations();

    /**
     * Representation {@code name} of x ({@code [n, sampleShape...]} as the dataset serves it), float32 or float64
     * {@code [n, dimension]}, allocated from x's allocator; deterministic (no sampling). Fails naming the available
     * representations when {@code name} is not one of them.
     */
    Tensor represent(String name, Tensor x);
}
