package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** A latent-variable model fitted by expectation-maximization; the EM trainer drives it. */
@ConsumerType
public interface EmFittable extends Capability {
    /** Sets initial parameters from the training data. */
    void initialize(Tensor x, Rng rng);

    /**
     * One E step and one M step on {@code x}. Returns the mean log-likelihood of {@code x} under the parameters
     * before the M step (the quantity EM never decreases).
     */
    double emStep(Tensor x);

    /**
     * The current parameters, unchanged by later steps: the trainer keeps the best of several initializations
     * (scikit-learn's {@code n_init}) and comes back to it with {@link #restore}.
     */
    Snapshot snapshot();

    /** Sets the parameters to {@code snapshot}, which this model returned from {@link #snapshot()}. */
    void restore(Snapshot snapshot);

    /** An immutable set of parameters, opaque to everyone but the model that made it. */
    interface Snapshot {
    }
}
