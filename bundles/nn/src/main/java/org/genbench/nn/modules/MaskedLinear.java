package org.genbench.nn.modules;

import java.util.Arrays;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;

/**
 * A linear layer whose weight is multiplied by a fixed 0/1 mask [out, in] (MADE, Germain et al. 2015): output unit
 * j sees input i only where mask[j][i] is 1. The mask is a buffer, saved with the weights, and can be replaced (MADE
 * resamples orderings) with {@link #setMask}.
 */
public final class MaskedLinear extends Linear {
    private final NdArray mask;

    public MaskedLinear(int in, int out, boolean bias, DType dtype, Rng rng) {
        super(in, out, bias, dtype, rng);
        this.mask = buffer("mask", NdArray.full(dtype, 1, out, in));
    }

    /** Replaces the mask (values 0 or 1, [out, in]). */
    public void setMask(NdArray m) {
        if (!Arrays.equals(m.shape(), mask.shape())) {
            throw new IllegalArgumentException("mask " + Arrays.toString(m.shape()) + " for weights " + Arrays.toString(mask.shape()));
        }
        for (int i = 0; i < m.size(); i++) {
            double v = m.getFlat(i);
            if (v != 0 && v != 1) {
                throw new IllegalArgumentException("mask values must be 0 or 1, found " + v);
            }
        }
        mask.assign(m);
    }

    public NdArray mask() {
        return mask;
    }

    @Override
    public NdArray forward(NdArray x) {
        // While a graph records, the product keeps the mask for its backward pass: give it a copy, so that a mask
        // replaced before backward (an ensemble of masks in one graph) does not corrupt the gradient.
        NdArray m = org.genbench.nn.Autograd.tracking(weight) != null ? mask.copy() : mask;
        return F.linear(x, F.mul(weight, m), bias);
    }
}
