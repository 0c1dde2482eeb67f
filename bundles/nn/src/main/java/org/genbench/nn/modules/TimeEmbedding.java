package org.genbench.nn.modules;

import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.NdArray;
import org.genbench.nn.Module;

/**
 * The sinusoidal embedding of a time step or noise level (Vaswani et al. 2017, as in DDPM) followed by a two-layer
 * MLP with SiLU: t [n] to [n, out].
 */
public final class TimeEmbedding extends Module {
    private final int dim;
    private final Linear first;
    private final Linear second;

    public TimeEmbedding(int dim, int out, DType dtype, Rng rng) {
        if (dim < 2 || dim % 2 != 0) {
            throw new IllegalArgumentException("the sinusoidal embedding needs an even dimension >= 2, got " + dim);
        }
        this.dim = dim;
        this.first = child("0", new Linear(dim, out, dtype, rng));
        this.second = child("2", new Linear(out, out, dtype, rng));
    }

    public NdArray forward(NdArray t) {
        return second.forward(Activation.SILU.forward(first.forward(sinusoidal(t, dim))));
    }

    /**
     * [sin(t f_0), .., sin(t f_{h-1}), cos(t f_0), .., cos(t f_{h-1})] with f_i = 10000^(-i / (h - 1)), h = dim / 2
     * (a constant of t: no gradient flows to t).
     */
    public static NdArray sinusoidal(NdArray t, int dim) {
        int n = t.size();
        int half = dim / 2;
        NdArray out = NdArray.zeros(t.dtype(), n, dim);
        double scale = Math.log(10000) / Math.max(1, half - 1);
        for (int i = 0; i < n; i++) {
            double tv = t.getFlat(i);
            for (int j = 0; j < half; j++) {
                double a = tv * Math.exp(-scale * j);
                out.setFlat(i * dim + j, Math.sin(a));
                out.setFlat(i * dim + half + j, Math.cos(a));
            }
        }
        return out;
    }
}
