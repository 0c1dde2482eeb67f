package org.genbench.nn.modules;

import org.genbench.nn.DType;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.Norm;

/**
 * Batch normalization over [n, c] or [n, c, h, w] as PyTorch's {@code BatchNorm1d/2d}: batch statistics in training,
 * running statistics (momentum 0.1) in evaluation; affine gamma, beta.
 */
public final class BatchNorm extends Module implements Layer {
    private final NdArray gamma;
    private final NdArray beta;
    private final NdArray runningMean;
    private final NdArray runningVar;
    private final double momentum;
    private final double eps;

    public BatchNorm(int channels, DType dtype) {
        this(channels, 0.1, 1e-5, dtype);
    }

    public BatchNorm(int channels, double momentum, double eps, DType dtype) {
        this.gamma = param("weight", NdArray.full(dtype, 1, channels));
        this.beta = param("bias", NdArray.zeros(dtype, channels));
        this.runningMean = buffer("running_mean", NdArray.zeros(dtype, channels));
        this.runningVar = buffer("running_var", NdArray.full(dtype, 1, channels));
        this.momentum = momentum;
        this.eps = eps;
    }

    @Override
    public NdArray forward(NdArray x) {
        return Norm.batchNorm(x, gamma, beta, runningMean, runningVar, isTraining(), momentum, eps);
    }
}
