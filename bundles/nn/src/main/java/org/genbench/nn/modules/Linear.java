package org.genbench.nn.modules;

import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Init;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/** y = x W^T + b as PyTorch's {@code nn.Linear}: W [out, in], b [out]; PyTorch's default initialization. */
public class Linear extends Module implements Layer {
    protected final NdArray weight;
    protected final NdArray bias;
    private final int in;
    private final int out;

    public Linear(int in, int out, boolean bias, DType dtype, Rng rng) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("a linear layer needs at least one input and output, got " + in + " -> " + out);
        }
        this.in = in;
        this.out = out;
        this.weight = param("weight", Init.torchDefault(rng, dtype, in, out, in));
        this.bias = bias ? param("bias", Init.torchDefault(rng, dtype, in, out)) : null;
    }

    public Linear(int in, int out, DType dtype, Rng rng) {
        this(in, out, true, dtype, rng);
    }

    @Override
    public NdArray forward(NdArray x) {
        return F.linear(x, weight, bias);
    }

    public NdArray weight() {
        return weight;
    }

    public NdArray bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
