package org.genbench.api;

/**
 * Adam's settings for one update (Kingma and Ba 2015), as trainers hand them to models that own their parameters
 * and optimizer state ({@link GradientTrainable}, {@link AdversarialTrainable}). The moment estimates and the step
 * count live in the model, so a checkpoint holds them.
 */
public record AdamSettings(double learningRate, double beta1, double beta2, double epsilon) {
    public AdamSettings {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, was " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), was " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), was " + beta2);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be finite and > 0, was " + epsilon);
        }
    }
}
