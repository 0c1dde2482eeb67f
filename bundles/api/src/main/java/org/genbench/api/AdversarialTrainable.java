package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A generator G and a discriminator D that an adversarial trainer updates in alternating steps (GANs). The model
 * owns both networks and their optimizer state, so that {@link Persistent#save} captures everything a resumed run
 * needs; the trainer owns the schedule: which step runs when, on which real batch, with which settings and which
 * random stream. Losses are the standard GAN losses on D's logit l: D minimizes binary cross-entropy, G minimizes
 * the non-saturating {@code -log sigmoid(l)} on its own samples (Goodfellow et al. 2014, section 3).
 */
@ConsumerType
public interface AdversarialTrainable extends Capability {
    /**
     * One update of D on {@code real} (rows are examples, shaped like the data) and as many samples of G, drawn from
     * {@code rng}. {@code labels} (INT32 or INT64, one per row) are required when the model is {@link Conditional}
     * and ignored otherwise; G's samples get labels drawn uniformly from {@code rng}. D's target for real rows is
     * {@code realTarget} (1, or less for one-sided label smoothing), for generated rows 0.
     *
     * @return D's loss: mean cross-entropy on the real rows plus mean cross-entropy on the generated rows
     */
    double discriminatorStep(Tensor real, Tensor labels, double realTarget, AdamSettings adam, Rng rng);

    /**
     * One update of G on {@code n} samples (and uniformly drawn labels when conditional) from {@code rng}, with the
     * non-saturating loss; D is not changed.
     *
     * @return G's loss, the mean of {@code -log sigmoid(l)} over the samples
     */
    double generatorStep(int n, AdamSettings adam, Rng rng);
}
