package org.genbench.nn.modules;

import org.genbench.api.Rng;
import org.genbench.nn.Conv;
import org.genbench.nn.DType;
import org.genbench.nn.Init;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/** Transposed 2-D convolution as PyTorch's {@code nn.ConvTranspose2d}: weight [in, out, k, k]; upsamples by the stride. */
public final class ConvTranspose2d extends Module implements Layer {
    private final NdArray weight;
    private final NdArray bias;
    private final int stride;
    private final int pad;
    private final int outputPad;

    public ConvTranspose2d(int in, int out, int kernel, int stride, int pad, int outputPad, boolean bias, DType dtype, Rng rng) {
        if (in < 1 || out < 1 || kernel < 1) {
            throw new IllegalArgumentException("convTranspose2d needs positive channels and kernel");
        }
        // PyTorch computes the fan-in of a transposed convolution from weight.size(1) * k * k
        int fanIn = out * kernel * kernel;
        this.weight = param("weight", Init.torchDefault(rng, dtype, fanIn, in, out, kernel, kernel));
        this.bias = bias ? param("bias", Init.torchDefault(rng, dtype, fanIn, out)) : null;
        this.stride = stride;
        this.pad = pad;
        this.outputPad = outputPad;
    }

    @Override
    public NdArray forward(NdArray x) {
        return Conv.convTranspose2d(x, weight, bias, stride, pad, outputPad);
    }

    public NdArray weight() {
        return weight;
    }
}
