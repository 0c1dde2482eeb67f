package org.genbench.api;

import java.util.Map;
import org.genbench.api.tensor.Batch;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A model fitted by mini-batch gradient steps on its own objective (a VAE's negative ELBO, ...). The model owns its
 * parameters, their gradients and the optimizer's state, so that {@link Persistent#save} checkpoints all of it; the
 * trainer owns the loop: which batch, which schedule, how long, when to checkpoint.
 */
@ConsumerType
public interface GradientTrainable extends Capability {
    /**
     * The settings of one step: Adam's and the weight of the objective's regularizing term,
     * which a trainer may anneal (a VAE's KL term during warm-up; 1 is the true objective, 0 drops the term).
     */
    record Step(AdamSettings adam, double regularizerWeight) {
        public Step {
            java.util.Objects.requireNonNull(adam, "adam");
            if (!(regularizerWeight >= 0) || Double.isInfinite(regularizerWeight)) {
                throw new IllegalArgumentException("regularizerWeight must be finite and >= 0, was " + regularizerWeight);
            }
        }
    }

    /**
     * One optimizer step on the mean objective over {@code batch} ({@code x}, and {@code label} for conditional
     * models). {@code rng} supplies all of the step's noise, so a trainer that passes {@code rng.split(step)} gets
     * the same step after a resume. Returns the batch's values before the update, at least {@code loss} (the
     * minimized quantity, with the regularizer weighted as given).
     */
    Map<String, Double> trainStep(Batch batch, Step step, Rng rng);

    /** Optimizer steps taken so far; restored by {@link Persistent#load}. */
    long stepsTaken();
}
