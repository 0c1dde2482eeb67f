package org.genbench.nn.modules;

import org.genbench.api.Rng;
import org.genbench.nn.Conv;
import org.genbench.nn.DType;
import org.genbench.nn.Init;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/** 2-D convolution as PyTorch's {@code nn.Conv2d} (square kernel, stride, zero padding); weight [out, in, k, k]. */
public class Conv2d extends Module implements Layer {
    protected final NdArray weight;
    protected final NdArray bias;
    protected final int stride;
    protected final int pad;

    public Conv2d(int in, int out, int kernel, int stride, int pad, boolean bias, DType dtype, Rng rng) {
        if (in < 1 || out < 1 || kernel < 1) {
            throw new IllegalArgumentException("conv2d needs positive channels and kernel, got " + in + " -> " + out + ", k " + kernel);
        }
        int fanIn = in * kernel * kernel;
        this.weight = param("weight", Init.torchDefault(rng, dtype, fanIn, out, in, kernel, kernel));
        this.bias = bias ? param("bias", Init.torchDefault(rng, dtype, fanIn, out)) : null;
        this.stride = stride;
        this.pad = pad;
    }

    @Override
    public NdArray forward(NdArray x) {
        return Conv.conv2d(x, effectiveWeight(), bias, stride, pad);
    }

    /** The weight the convolution uses (masked convolutions multiply by their mask). */
    protected NdArray effectiveWeight() {
        return weight;
    }

    public NdArray weight() {
        return weight;
    }

    public NdArray bias() {
        return bias;
    }
}
