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
     * The settings of one step: Adam's (its learning rate is this step's, after any schedule), the weight of the
     * objective's regularizing term, which a trainer may anneal (a VAE's KL term during warm-up; 1 is the true
     * objective, 0 drops the term), decoupled weight decay (AdamW; 0 for plain Adam) and the largest global gradient
     * norm (0 for no clipping).
     */
    record Step(AdamSettings adam, double regularizerWeight, double weightDecay, double clipNorm) {
        public Step {
            java.util.Objects.requireNonNull(adam, "adam");
            if (!(regularizerWeight >= 0) || Double.isInfinite(regularizerWeight)) {
                throw new IllegalArgumentException("regularizerWeight must be finite and >= 0, was " + regularizerWeight);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weightDecay must be finite and >= 0, was " + weightDecay);
            }
            if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("clipNorm must be finite and >= 0 (0: no clipping), was " + clipNorm);
            }
        }

        /** Adam without weight decay or clipping. */
        public Step(AdamSettings adam, double regularizerWeight) {
            this(adam, regularizerWeight, 0, 0);
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
