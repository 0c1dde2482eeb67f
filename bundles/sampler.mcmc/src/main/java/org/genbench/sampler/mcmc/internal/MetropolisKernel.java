package org.genbench.sampler.mcmc.internal;

import org.genbench.api.Rng;

/** Random-walk Metropolis: x' = x + s z, z ~ N(0, I); symmetric, so only the density ratio enters. */
final class MetropolisKernel extends Kernel {
    private final double[] proposal;
    private final double[] proposalLogP;

    MetropolisKernel(Target target, double[] initial, Rng[] rngs) {
        super(target, initial, rngs);
        this.proposal = new double[x.length];
        this.proposalLogP = new double[chains];
    }

    @Override
    double step(double stepSize, boolean[] accepted) {
        for (int c = 0; c < chains; c++) {
            Rng rng = rngs[c];
            for (int i = c * dim; i < (c + 1) * dim; i++) {
                proposal[i] = x[i] + stepSize * rng.nextGaussian();
            }
        }
        target.logDensity(proposal, proposalLogP);
        double sum = 0;
        for (int c = 0; c < chains; c++) {
            double p = acceptProbability(proposalLogP[c] - logP[c]);
            sum += p;
            accepted[c] = accept(c, p);
            if (accepted[c]) {
                System.arraycopy(proposal, c * dim, x, c * dim, dim);
                logP[c] = proposalLogP[c];
            }
        }
        return sum / chains;
    }
}
