package org.genbench.density;

import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/**
 * Batch normalization as an invertible flow layer (Dinh et al. 2017, appendix E; Papamakarios et al. 2017, MAF):
 * per channel of [n, c] or [n, c, h, w], y = (x - m) / sqrt(v + eps) exp(logGamma) + beta, with the batch's mean
 * and (biased) variance in training (gradients flow through them) and running averages (momentum 0.1) in evaluation;
 * log |det dy/dx| per example = positions * sum_c (logGamma_c - log(v_c + eps) / 2).
 */
public final class FlowBatchNorm extends Module {
    private final int channels;
    private final NdArray logGamma;
    private final NdArray beta;
    private final NdArray runningMean;
    private final NdArray runningVar;
    private final double momentum;
    private final double eps;

    public FlowBatchNorm(int channels, DType dtype) {
        this(channels, 0.1, 1e-5, dtype);
    }

    public FlowBatchNorm(int channels, double momentum, double eps, DType dtype) {
        if (channels < 1 || !(momentum > 0 && momentum <= 1) || !(eps > 0)) {
            throw new IllegalArgumentException("flow batch norm needs channels >= 1, momentum in (0, 1] and eps > 0; got "
                    + channels + ", " + momentum + ", " + eps);
        }
        this.channels = channels;
        this.momentum = momentum;
        this.eps = eps;
        this.logGamma = param("log_gamma", NdArray.zeros(dtype, channels));
        this.beta = param("beta", NdArray.zeros(dtype, channels));
        this.runningMean = buffer("running_mean", NdArray.zeros(dtype, channels));
        this.runningVar = buffer("running_var", NdArray.full(dtype, 1, channels));
    }

    /** y and log |det dy/dx| per example ([n]). */
    public NdArray[] forward(NdArray x) {
        int n = x.dim(0);
        int positions = x.size() / Math.max(1, n * channels);
        NdArray xr = F.reshape(x, n, channels, positions);
        NdArray mean;
        NdArray var;
        if (isTraining()) {
            mean = F.mean(F.mean(xr, 2, true), 0, true);
            var = F.mean(F.mean(F.square(F.sub(xr, mean)), 2, true), 0, true);
            for (int c = 0; c < channels; c++) {
                runningMean.setFlat(c, (1 - momentum) * runningMean.getFlat(c) + momentum * mean.getFlat(c));
                runningVar.setFlat(c, (1 - momentum) * runningVar.getFlat(c) + momentum * var.getFlat(c));
            }
        } else {
            mean = F.reshape(runningMean, 1, channels, 1);
            var = F.reshape(runningVar, 1, channels, 1);
        }
        NdArray logScale = F.sub(F.reshape(logGamma, 1, channels, 1), F.mul(F.log(F.add(var, eps)), 0.5));
        NdArray y = F.add(F.mul(F.sub(xr, mean), F.exp(logScale)), F.reshape(beta, 1, channels, 1));
        NdArray logDet = F.mul(F.sum(logScale), positions);
        return new NdArray[] {F.reshape(y, x.shape()), F.broadcastTo(F.reshape(logDet, 1), n)};
    }

    /** x from y with the running statistics (evaluation). */
    public NdArray inverse(NdArray y) {
        int n = y.dim(0);
        int positions = y.size() / Math.max(1, n * channels);
        NdArray yr = F.reshape(y, n, channels, positions);
        NdArray var = F.reshape(runningVar, 1, channels, 1);
        NdArray logScale = F.sub(F.reshape(logGamma, 1, channels, 1), F.mul(F.log(F.add(var, eps)), 0.5));
        NdArray x = F.add(F.mul(F.sub(yr, F.reshape(beta, 1, channels, 1)), F.exp(F.neg(logScale))),
                F.reshape(runningMean, 1, channels, 1));
        return F.reshape(x, y.shape());
    }
}
