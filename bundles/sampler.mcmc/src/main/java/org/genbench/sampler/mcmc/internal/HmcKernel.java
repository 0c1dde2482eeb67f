package org.genbench.sampler.mcmc.internal;

import org.genbench.api.Rng;

/**
 * Hamiltonian Monte Carlo with unit mass: fresh momentum p ~ N(0, I), a fixed number of leapfrog steps on
 * H = -log p~(x) + |p|^2 / 2, then a Metropolis test on the change in H. Each leapfrog step costs one gradient
 * call for all chains together; the end point costs one density call.
 */
final class HmcKernel extends Kernel {
    private final int leapfrogSteps;
    private final double[] grad;
    private final double[] q;
    private final double[] p;
    private final double[] qGrad;
    private final double[] qLogP;
    private final double[] initialKinetic;

    HmcKernel(Target target, double[] initial, Rng[] rngs, int leapfrogSteps) {
        super(target, initial, rngs);
        this.leapfrogSteps = leapfrogSteps;
        this.grad = new double[x.length];
        target.gradient(x, grad);
        this.q = new double[x.length];
        this.p = new double[x.length];
        this.qGrad = new double[x.length];
        this.qLogP = new double[chains];
        this.initialKinetic = new double[chains];
    }

    @Override
    double step(double eps, boolean[] accepted) {
        for (int c = 0; c < chains; c++) {
            Rng rng = rngs[c];
            double kinetic = 0;
            for (int i = c * dim; i < (c + 1) * dim; i++) {
                p[i] = rng.nextGaussian();
                kinetic += p[i] * p[i];
            }
            initialKinetic[c] = 0.5 * kinetic;
        }
        System.arraycopy(x, 0, q, 0, x.length);
        System.arraycopy(grad, 0, qGrad, 0, x.length);
        for (int l = 0; l < leapfrogSteps; l++) {
            for (int i = 0; i < q.length; i++) {
                p[i] += 0.5 * eps * qGrad[i];
                q[i] += eps * p[i];
            }
            target.gradient(q, qGrad);
            for (int i = 0; i < q.length; i++) {
                p[i] += 0.5 * eps * qGrad[i];
            }
        }
        target.logDensity(q, qLogP);
        double sum = 0;
        for (int c = 0; c < chains; c++) {
            double kinetic = 0;
            for (int i = c * dim; i < (c + 1) * dim; i++) {
                kinetic += p[i] * p[i];
            }
            double logRatio = (qLogP[c] - 0.5 * kinetic) - (logP[c] - initialKinetic[c]);
            double prob = acceptProbability(logRatio);
            sum += prob;
            accepted[c] = accept(c, prob);
            if (accepted[c]) {
                System.arraycopy(q, c * dim, x, c * dim, dim);
                System.arraycopy(qGrad, c * dim, grad, c * dim, dim);
                logP[c] = qLogP[c];
            }
        }
        return sum / chains;
    }
}
