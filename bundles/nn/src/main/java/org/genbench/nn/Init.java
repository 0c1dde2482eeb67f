package org.genbench.nn;

import org.genbench.api.Rng;

/** Initial weights, drawn from the model's own {@link Rng} (never a global generator): same seed, same network. */
public final class Init {
    private Init() {
    }

    /** U(-bound, bound). */
    public static NdArray uniform(Rng rng, DType dtype, double bound, int... shape) {
        return NdArray.uniform(rng, dtype, -bound, bound, shape);
    }

    /** N(0, std^2). */
    public static NdArray normal(Rng rng, DType dtype, double std, int... shape) {
        return NdArray.randn(rng, dtype, std, shape);
    }

    /**
     * PyTorch's default for linear and convolution weights (kaiming_uniform with a = sqrt 5): U(+-1/sqrt(fanIn)); the
     * same bound serves their biases.
     */
    public static NdArray torchDefault(Rng rng, DType dtype, int fanIn, int... shape) {
        return uniform(rng, dtype, 1 / Math.sqrt(Math.max(1, fanIn)), shape);
    }

    /** He et al. (2015) for ReLU layers: N(0, 2 / fanIn). */
    public static NdArray he(Rng rng, DType dtype, int fanIn, int... shape) {
        return normal(rng, dtype, Math.sqrt(2.0 / Math.max(1, fanIn)), shape);
    }
}
