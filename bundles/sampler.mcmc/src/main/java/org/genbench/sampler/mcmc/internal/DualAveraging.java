package org.genbench.sampler.mcmc.internal;

/**
 * Step-size adaptation by Nesterov dual averaging (Hoffman and Gelman 2014, the No-U-Turn Sampler, section 3.2),
 * the rule Stan uses: it drives the mean acceptance probability to a target and, unlike plain Robbins-Monro on
 * log step size, ends on an averaged iterate that does not carry the last iterations' noise.
 */
final class DualAveraging {
    private static final double GAMMA = 0.05;
    private static final double T0 = 10;
    private static final double KAPPA = 0.75;
    /** Bounds log step size around its shrinkage point so a flat target cannot push it to infinity. */
    private static final double LOG_RANGE = 30;

    private final double target;
    private final double mu;
    private double hBar;
    private double logStep;
    private double logStepBar;
    private int iterations;

    DualAveraging(double initialStep, double target) {
        this.target = target;
        this.mu = Math.log(10 * initialStep);
        this.logStep = Math.log(initialStep);
    }

    /** The step size to use for the next iteration of warmup. */
    double stepSize() {
        return Math.exp(logStep);
    }

    void update(double acceptProbability) {
        iterations++;
        double w = 1.0 / (iterations + T0);
        hBar = (1 - w) * hBar + w * (target - acceptProbability);
        logStep = Math.max(mu - LOG_RANGE, Math.min(mu + LOG_RANGE, mu - Math.sqrt(iterations) / GAMMA * hBar));
        double eta = Math.pow(iterations, -KAPPA);
        logStepBar = eta * logStep + (1 - eta) * logStepBar;
    }

    /** The step size to freeze after warmup. */
    double finalStepSize() {
        return iterations == 0 ? Math.exp(logStep) : Math.exp(logStepBar);
    }
}
