package org.genbench.model.realnvp.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.Activation;
import org.genbench.nn.modules.Conv2d;
import org.genbench.nn.modules.Linear;
import org.genbench.nn.modules.ResidualBlock;

/**
 * RealNVP's affine coupling (Dinh et al. 2017, section 3): the values a mask keeps pass unchanged and condition an
 * affine map of the others, y = x exp(s(x_a)) + t(x_a), with log |det dy/dx| = sum s. The log-scale is
 * {@code scale * tanh(raw)} with a learned scale per channel, as in RealNVP's code, which keeps early steps stable.
 * Masks: a checkerboard over the pixels of [n, c, h, w] (parity 0 keeps the pixels whose row + column is even), a
 * split of the channels (parity 0 keeps the first half), or alternating entries of a flat [n, d] vector (parity 0
 * keeps the even indices). The conditioner is a ResNet (3x3 convolution in, residual blocks, norm, ReLU, 3x3
 * convolution out) or an MLP; its last layer starts at zero, so every coupling starts as the identity.
 */
final class Coupling extends Module {
    enum Mask { CHECKERBOARD, CHANNEL, VECTOR }

    private final Mask mask;
    private final int parity;
    /** Channels of the input (CHECKERBOARD, CHANNEL) or its length (VECTOR). */
    private final int channels;
    private final NdArray scale;
    private final Conv2d convIn;
    private final Conv2d convOut;
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private final List<Linear> mlp = new ArrayList<>();
    private final org.genbench.nn.Layer outNorm;
    private NdArray cachedMask;

    /**
     * @param hidden hidden channels of the ResNet or units of the MLP
     * @param depth  residual blocks, or hidden layers of the MLP
     * @param norm   the ResNet's norm ({@code batch} or {@code none}); unused by the MLP
     */
    Coupling(Mask mask, int parity, int channels, int hidden, int depth, String norm, DType dtype, Rng rng) {
        this.mask = mask;
        this.parity = parity;
        this.channels = channels;
        int in = mask == Mask.CHANNEL ? channels / 2 : channels;
        int out = mask == Mask.CHANNEL ? 2 * (channels - channels / 2) : 2 * channels;
        int scaleSize = mask == Mask.CHANNEL ? channels - channels / 2 : channels;
        this.scale = param("scale", NdArray.full(dtype, 1, scaleSize));
        if (mask == Mask.VECTOR) {
            int width = in;
            for (int l = 0; l < depth; l++) {
                mlp.add(child("mlp" + l, new Linear(width, hidden, dtype, rng)));
                width = hidden;
            }
            Linear last = child("mlp" + depth, new Linear(width, out, dtype, rng));
            last.weight().fill(0);
            last.bias().fill(0);
            mlp.add(last);
            convIn = null;
            convOut = null;
            outNorm = null;
        } else {
            convIn = child("in", new Conv2d(in, hidden, 3, 1, 1, true, dtype, rng));
            for (int b = 0; b < depth; b++) {
                blocks.add(child("block" + b, new ResidualBlock(hidden, hidden, 0, norm, Activation.RELU, 0, dtype, rng)));
            }
            outNorm = norm.equals("batch") ? child("out_norm", new org.genbench.nn.modules.BatchNorm(hidden, dtype))
                    : x -> x;
            convOut = child("out", new Conv2d(hidden, out, 3, 1, 1, true, dtype, rng));
            convOut.weight().fill(0);
            convOut.bias().fill(0);
        }
    }

    /** y and log |det dy/dx| per example [n]. */
    NdArray[] forward(NdArray x) {
        return apply(x, false);
    }

    /** x from y. */
    NdArray inverse(NdArray y) {
        return apply(y, true)[0];
    }

    private NdArray[] apply(NdArray v, boolean inverse) {
        int n = v.dim(0);
        if (mask == Mask.CHANNEL) {
            int half = channels / 2;
            NdArray a = F.narrow(v, 1, parity == 0 ? 0 : channels - half, half);
            NdArray b = F.narrow(v, 1, parity == 0 ? half : 0, channels - half);
            NdArray[] st = conditioner(a);
            NdArray s = st[0];
            NdArray t = st[1];
            NdArray bOut = inverse ? F.mul(F.sub(b, t), F.exp(F.neg(s))) : F.add(F.mul(b, F.exp(s)), t);
            NdArray y = parity == 0 ? F.concat(1, a, bOut) : F.concat(1, bOut, a);
            return new NdArray[] {y, rowSums(s, n)};
        }
        NdArray m = mask(v);
        NdArray keep = F.mul(v, m);
        NdArray[] st = conditioner(keep);
        NdArray free = F.rsub(1.0, m);
        NdArray s = F.mul(st[0], free);
        NdArray t = F.mul(st[1], free);
        // where the mask keeps a value, s = t = 0 and the map is the identity
        NdArray y = inverse ? F.mul(F.sub(v, t), F.exp(F.neg(s))) : F.add(F.mul(v, F.exp(s)), t);
        return new NdArray[] {y, rowSums(s, n)};
    }

    /** log-scale and shift from the kept values, each shaped like the transformed part. */
    private NdArray[] conditioner(NdArray a) {
        NdArray h;
        if (mask == Mask.VECTOR) {
            h = a;
            for (int l = 0; l < mlp.size(); l++) {
                h = mlp.get(l).forward(h);
                if (l < mlp.size() - 1) {
                    h = F.relu(h);
                }
            }
        } else {
            h = convIn.forward(a);
            for (ResidualBlock b : blocks) {
                h = b.forward(h);
            }
            h = convOut.forward(F.relu(outNorm.forward(h)));
        }
        int half = h.dim(1) / 2;
        NdArray raw = F.narrow(h, 1, 0, half);
        NdArray t = F.narrow(h, 1, half, half);
        int[] sShape = new int[h.rank()];
        java.util.Arrays.fill(sShape, 1);
        sShape[1] = half;
        NdArray s = F.mul(F.tanh(raw), F.reshape(scale, sShape));
        return new NdArray[] {s, t};
    }

    /** The 0/1 mask broadcastable to v: [1, 1, h, w] or [1, d]. */
    private NdArray mask(NdArray v) {
        if (cachedMask != null && cachedMask.dtype() == v.dtype() && matches(cachedMask, v)) {
            return cachedMask;
        }
        NdArray m;
        if (mask == Mask.VECTOR) {
            int d = v.dim(1);
            double[] vals = new double[d];
            for (int i = 0; i < d; i++) {
                vals[i] = i % 2 == parity ? 1 : 0;
            }
            m = NdArray.wrap(vals, 1, d);
        } else {
            int h = v.dim(2);
            int w = v.dim(3);
            double[] vals = new double[h * w];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    vals[i * w + j] = (i + j) % 2 == parity ? 1 : 0;
                }
            }
            m = NdArray.wrap(vals, 1, 1, h, w);
        }
        cachedMask = m.dtype() == v.dtype() ? m : org.genbench.nn.Scope.keep(m.to(v.dtype()));
        return cachedMask;
    }

    private static boolean matches(NdArray m, NdArray v) {
        return m.rank() == v.rank() && m.dim(-1) == v.dim(-1) && (v.rank() == 2 || m.dim(2) == v.dim(2));
    }

    private static NdArray rowSums(NdArray s, int n) {
        return F.reshape(F.sum(F.reshape(s, n, -1), 1, false), n);
    }
}
