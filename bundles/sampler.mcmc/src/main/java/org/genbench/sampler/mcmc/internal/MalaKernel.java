package org.genbench.sampler.mcmc.internal;

import org.genbench.api.Rng;

/**
 * Metropolis-adjusted Langevin: x' = x + (h^2 / 2) grad log p(x) + h z, corrected for the asymmetric proposal.
 * With this parameterization h is the proposal's noise scale, comparable to the random-walk scale, and MALA is
 * exactly one-leapfrog-step HMC with step h.
 */
final class MalaKernel extends Kernel {
    private final double[] grad;
    private final double[] proposal;
    private final double[] proposalLogP;
    private final double[] proposalGrad;
    private final double[] forwardLogQ;

    MalaKernel(Target target, double[] initial, Rng[] rngs) {
        super(target, initial, rngs);
        this.grad = new double[x.length];
        target.gradient(x, grad);
        this.proposal = new double[x.length];
        this.proposalLogP = new double[chains];
        this.proposalGrad = new double[x.length];
        this.forwardLogQ = new double[chains];
    }

    @Override
    double step(double h, boolean[] accepted) {
        double drift = 0.5 * h * h;
        for (int c = 0; c < chains; c++) {
            Rng rng = rngs[c];
            double zz = 0;
            for (int i = c * dim; i < (c + 1) * dim; i++) {
                double z = rng.nextGaussian();
                zz += z * z;
                proposal[i] = x[i] + drift * grad[i] + h * z;
            }
            // log q(x'|x) up to the constant shared with the reverse move: (x' - x - drift * g) / h is z.
            forwardLogQ[c] = -0.5 * zz;
        }
        target.logDensity(proposal, proposalLogP);
        target.gradient(proposal, proposalGrad);
        double sum = 0;
        for (int c = 0; c < chains; c++) {
            double ww = 0;
            for (int i = c * dim; i < (c + 1) * dim; i++) {
                double w = (x[i] - proposal[i] - drift * proposalGrad[i]) / h;
                ww += w * w;
            }
            double reverseLogQ = -0.5 * ww;
            double p = acceptProbability(proposalLogP[c] - logP[c] + reverseLogQ - forwardLogQ[c]);
            sum += p;
            accepted[c] = accept(c, p);
            if (accepted[c]) {
                System.arraycopy(proposal, c * dim, x, c * dim, dim);
                System.arraycopy(proposalGrad, c * dim, grad, c * dim, dim);
                logP[c] = proposalLogP[c];
            }
        }
        return sum / chains;
    }
}
