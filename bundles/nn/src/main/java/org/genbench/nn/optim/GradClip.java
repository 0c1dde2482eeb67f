package org.genbench.nn.optim;

import java.util.Collection;
import org.genbench.nn.DType;
import org.genbench.nn.NdArray;

/** Gradient clipping by global norm, as PyTorch's {@code clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {
    }

    /** Scales the parameters' gradients so their joint L2 norm is at most {@code max}; returns the norm before. */
    public static double clipNorm(Collection<NdArray> parameters, double max) {
        if (!(max > 0)) {
            throw new IllegalArgumentException("max norm must be > 0, was " + max);
        }
        double ss = 0;
        for (NdArray p : parameters) {
            NdArray g = p.grad();
            if (g == null) {
                continue;
            }
            if (g.dtype() == DType.F32) {
                float[] v = g.f();
                float acc = 0;
                for (int i = 0; i < g.size(); i++) {
                    acc += v[i] * v[i];
                }
                ss += acc;
            } else {
                for (int i = 0; i < g.size(); i++) {
                    ss += g.d()[i] * g.d()[i];
                }
            }
        }
        double norm = Math.sqrt(ss);
        double scale = max / (norm + 1e-6);
        if (scale < 1) {
            for (NdArray p : parameters) {
                NdArray g = p.grad();
                if (g == null) {
                    continue;
                }
                if (g.dtype() == DType.F32) {
                    float[] v = g.f();
                    float s = (float) scale;
                    for (int i = 0; i < g.size(); i++) {
                        v[i] *= s;
                    }
                } else {
                    for (int i = 0; i < g.size(); i++) {
                        g.d()[i] *= scale;
                    }
                }
            }
        }
        return norm;
    }
}
