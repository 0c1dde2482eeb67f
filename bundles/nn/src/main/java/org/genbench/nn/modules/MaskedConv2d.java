package org.genbench.nn.modules;

import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.NdArray;

/**
 * PixelCNN's masked convolution (van den Oord et al. 2016): a k x k kernel (k odd, padding k/2) that sees only pixels
 * above, and to the left in the same row. Type A (the first layer) also hides the centre pixel, so an output never
 * depends on its own input value; type B (later layers) lets it through. With {@code colorGroups} > 1 the channels
 * split into that many groups (R, G, B) and the centre tap follows the channel order too: group j sees groups
 * before j (type A) or up to j (type B).
 */
public final class MaskedConv2d extends Conv2d {
    public enum Type { A, B }

    private final NdArray mask;

    public MaskedConv2d(int in, int out, int kernel, Type type, int colorGroups, boolean bias, DType dtype, Rng rng) {
        super(in, out, kernel, 1, kernel / 2, bias, dtype, rng);
        if (kernel % 2 != 1) {
            throw new IllegalArgumentException("a masked convolution needs an odd kernel, got " + kernel);
        }
        if (colorGroups < 1 || in % colorGroups != 0 || out % colorGroups != 0) {
            throw new IllegalArgumentException("colorGroups " + colorGroups + " must divide channels " + in + " and " + out);
        }
        NdArray m = NdArray.zeros(dtype, out, in, kernel, kernel);
        int c = kernel / 2;
        int inPer = in / colorGroups;
        int outPer = out / colorGroups;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < kernel; y++) {
                    for (int x = 0; x < kernel; x++) {
                        boolean visible;
                        if (y < c || (y == c && x < c)) {
                            visible = true;
                        } else if (y == c && x == c) {
                            int go = o / outPer;
                            int gi = i / inPer;
                            visible = type == Type.A ? gi < go : gi <= go;
                        } else {
                            visible = false;
                        }
                        if (visible) {
                            m.set(1, o, i, y, x);
                        }
                    }
                }
            }
        }
        this.mask = buffer("mask", m);
    }

    @Override
    protected NdArray effectiveWeight() {
        return F.mul(weight, mask);
    }

    public NdArray mask() {
        return mask;
    }
}
