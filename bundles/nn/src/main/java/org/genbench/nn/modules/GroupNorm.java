package org.genbench.nn.modules;

import org.genbench.nn.DType;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.Norm;

/** Group normalization (Wu and He 2018) as PyTorch's {@code nn.GroupNorm}: per example, over channel groups. */
public final class GroupNorm extends Module implements Layer {
    private final int groups;
    private final NdArray gamma;
    private final NdArray beta;
    private final double eps;

    public GroupNorm(int groups, int channels, DType dtype) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("groups " + groups + " must divide channels " + channels);
        }
        this.groups = groups;
        this.gamma = param("weight", NdArray.full(dtype, 1, channels));
        this.beta = param("bias", NdArray.zeros(dtype, channels));
        this.eps = 1e-5;
    }

    @Override
    public NdArray forward(NdArray x) {
        return Norm.groupNorm(x, groups, gamma, beta, eps);
    }
}
