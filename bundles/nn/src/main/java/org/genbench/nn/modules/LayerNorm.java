package org.genbench.nn.modules;

import org.genbench.nn.DType;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.Norm;

/** Layer normalization over the last dimension as PyTorch's {@code nn.LayerNorm(d)}. */
public final class LayerNorm extends Module implements Layer {
    private final NdArray gamma;
    private final NdArray beta;

    public LayerNorm(int features, DType dtype) {
        this.gamma = param("weight", NdArray.full(dtype, 1, features));
        this.beta = param("bias", NdArray.zeros(dtype, features));
    }

    @Override
    public NdArray forward(NdArray x) {
        return Norm.layerNorm(x, gamma, beta, 1e-5);
    }
}
