package org.genbench.api;

import java.util.Map;
import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A model fitted by contrastive, MCMC-based maximum likelihood on its {@link Energy}: for p(x) = exp(-E(x)) / Z the
 * gradient of the mean log-likelihood in the parameters is E_model[dE/dtheta] - E_data[dE/dtheta]. A trainer estimates
 * the data term on a batch (the positive phase) and the model term on states of Markov chains it runs on the model
 * (the negative phase: contrastive divergence, persistent CD, Langevin chains), and hands both to
 * {@link #contrastiveStep}. For an RBM, E is the free energy of v, and the step is the familiar CD update with hidden
 * probabilities as statistics.
 *
 * <p>The model owns its parameters and the optimizer's state (momentum), so that {@link Persistent#save} checkpoints
 * them; the trainer owns the chains, the batches and the schedules.
 */
@ConsumerType
public interface ContrastiveTrainable extends Capability {
    /**
     * The settings of one update: SGD with momentum and an L2 penalty on the weights the model names (an RBM's
     * couplings, not its biases), as torch.optim.SGD and the nn bundle's Sgd: g = grad + weightDecay * w;
     * v = momentum * v + g (v = g on the first update); w = w - learningRate * v. The rate is this update's, after
     * any schedule.
     */
    record Step(double learningRate, double momentum, double weightDecay) {
        public Step {
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be finite and > 0, was " + learningRate);
            }
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weightDecay must be finite and >= 0, was " + weightDecay);
            }
        }
    }

    /**
     * One update on mean E(positive) - mean E(negative) (its gradient is the negative log-likelihood's, estimated).
     * Both batches are shaped {@code [n, sampleShape...]}, their sizes may differ. Returns values from before the
     * update, at least {@code energy_positive} and {@code energy_negative} (the two means).
     */
    Map<String, Double> contrastiveStep(Tensor positive, Tensor negative, Step step);

    /** Updates taken so far; restored by {@link Persistent#load}. */
    long stepsTaken();
}
