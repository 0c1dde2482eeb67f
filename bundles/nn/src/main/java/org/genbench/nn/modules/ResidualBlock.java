package org.genbench.nn.modules;

import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Layer;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.Sequential;

/**
 * A pre-activation residual block on [n, c, h, w] (He et al. 2016): norm, activation, 3x3 convolution, twice, plus
 * the input (through a 1x1 convolution when the channel count changes). With a time-embedding size > 0, a projection
 * of the embedding is added per channel between the convolutions, as in the DDPM U-Net (Ho et al. 2020). The norm is
 * {@code group} (DDPM), {@code batch} (RealNVP's coupling networks) or {@code none}.
 */
public final class ResidualBlock extends Module {
    private final Layer norm1;
    private final Layer norm2;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Linear time;
    private final Conv2d skip;
    private final Activation act;
    private final double dropout;

    public ResidualBlock(int in, int out, int timeDim, String norm, Activation act, double dropout, DType dtype, Rng rng) {
        this.act = act;
        this.dropout = dropout;
        this.norm1 = (Layer) child("norm1", norm(norm, in, dtype));
        this.conv1 = child("conv1", new Conv2d(in, out, 3, 1, 1, true, dtype, rng));
        this.time = timeDim > 0 ? child("time", new Linear(timeDim, out, dtype, rng)) : null;
        this.norm2 = (Layer) child("norm2", norm(norm, out, dtype));
        this.conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1, true, dtype, rng));
        this.skip = in != out ? child("skip", new Conv2d(in, out, 1, 1, 0, true, dtype, rng)) : null;
    }

    private static Module norm(String kind, int channels, DType dtype) {
        return switch (kind) {
            case "group" -> new GroupNorm(groupsFor(channels), channels, dtype);
            case "batch" -> new BatchNorm(channels, dtype);
            case "none" -> new Sequential();
            default -> throw new IllegalArgumentException("norm must be group, batch or none, was '" + kind + "'");
        };
    }

    /** The group count for a channel count: 8 groups when they divide it, else the largest divisor up to 8. */
    public static int groupsFor(int channels) {
        for (int g = Math.min(8, channels); g > 1; g--) {
            if (channels % g == 0) {
                return g;
            }
        }
        return 1;
    }

    /** The block without a time embedding. */
    public NdArray forward(NdArray x) {
        return forward(x, null, null);
    }

    /** The block with {@code temb} [n, timeDim] (null when the block has none); dropout draws from {@code rng}. */
    public NdArray forward(NdArray x, NdArray temb, Rng rng) {
        NdArray h = conv1.forward(act.forward(norm1.forward(x)));
        if (time != null) {
            NdArray t = time.forward(act.forward(temb));
            h = F.add(h, F.reshape(t, t.dim(0), t.dim(1), 1, 1));
        }
        h = act.forward(norm2.forward(h));
        if (dropout > 0 && isTraining() && rng != null) {
            h = F.dropout(h, dropout, rng);
        }
        h = conv2.forward(h);
        return F.add(skip == null ? x : skip.forward(x), h);
    }
}
