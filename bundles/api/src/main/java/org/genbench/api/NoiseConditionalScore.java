package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/** The score of the data convolved with Gaussian noise of scale sigma (NCSN, annealed Langevin). */
@ConsumerType
public interface NoiseConditionalScore extends Capability {
    Tensor score(Tensor x, double sigma);

    /** The noise scales the model was trained on, largest first. */
    double[] sigmas();
}
