package org.genbench.nn.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.Conv;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/**
 * A small U-Net for diffusion and score models (after Ho et al. 2020, without attention): a time (or noise-level)
 * embedding, optionally plus a learned class embedding with one extra "no class" row for classifier-free guidance;
 * levels of residual blocks at base * mults[i] channels, halving the resolution between levels with stride-2
 * convolutions and doubling it back with nearest upsampling and a convolution; skip connections from each block on
 * the way down to the way up. x [n, c, h, w] (h and w divisible by 2^(levels-1)), t [n] to [n, c, h, w].
 */
public final class UNet extends Module {
    /** The settings of the network. */
    public record Config(int channels, int base, int[] mults, int blocks, int classes, double dropout) {
        public Config {
            if (channels < 1 || base < 1 || blocks < 1 || mults.length < 1 || classes < 0 || !(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("U-Net settings out of range: channels " + channels + ", base " + base
                        + ", mults " + Arrays.toString(mults) + ", blocks " + blocks + ", classes " + classes + ", dropout " + dropout);
            }
            mults = mults.clone();
        }
    }

    private final Config config;
    private final TimeEmbedding time;
    private final NdArray classTable;
    private final Conv2d in;
    private final List<ResidualBlock> down = new ArrayList<>();
    private final List<Conv2d> downsample = new ArrayList<>();
    private final ResidualBlock mid1;
    private final ResidualBlock mid2;
    private final List<ResidualBlock> up = new ArrayList<>();
    private final List<Conv2d> upsample = new ArrayList<>();
    private final GroupNorm outNorm;
    private final Conv2d out;

    public UNet(Config c, DType dtype, Rng rng) {
        this.config = c;
        int tdim = 4 * c.base();
        this.time = child("time", new TimeEmbedding(c.base(), tdim, dtype, rng));
        this.classTable = c.classes() > 0
                ? param("class_embedding", NdArray.randn(rng, dtype, 1.0, c.classes() + 1, tdim)) : null;
        this.in = child("in", new Conv2d(c.channels(), c.base(), 3, 1, 1, true, dtype, rng));
        List<Integer> skips = new ArrayList<>();
        skips.add(c.base());
        int ch = c.base();
        int levels = c.mults().length;
        for (int l = 0; l < levels; l++) {
            int outCh = c.base() * c.mults()[l];
            for (int b = 0; b < c.blocks(); b++) {
                down.add(child("down" + l + "_" + b, new ResidualBlock(ch, outCh, tdim, "group", Activation.SILU, c.dropout(), dtype, rng)));
                ch = outCh;
                skips.add(ch);
            }
            if (l < levels - 1) {
                downsample.add(child("downsample" + l, new Conv2d(ch, ch, 3, 2, 1, true, dtype, rng)));
                skips.add(ch);
            }
        }
        this.mid1 = child("mid1", new ResidualBlock(ch, ch, tdim, "group", Activation.SILU, c.dropout(), dtype, rng));
        this.mid2 = child("mid2", new ResidualBlock(ch, ch, tdim, "group", Activation.SILU, c.dropout(), dtype, rng));
        for (int l = levels - 1; l >= 0; l--) {
            int outCh = c.base() * c.mults()[l];
            for (int b = 0; b <= c.blocks(); b++) {
                int skip = skips.remove(skips.size() - 1);
                up.add(child("up" + l + "_" + b, new ResidualBlock(ch + skip, outCh, tdim, "group", Activation.SILU, c.dropout(), dtype, rng)));
                ch = outCh;
            }
            if (l > 0) {
                upsample.add(child("upsample" + l, new Conv2d(ch, ch, 3, 1, 1, true, dtype, rng)));
            }
        }
        this.outNorm = child("out_norm", new GroupNorm(ResidualBlock.groupsFor(ch), ch, dtype));
        this.out = child("out", new Conv2d(ch, c.channels(), 3, 1, 1, true, dtype, rng));
    }

    public Config config() {
        return config;
    }

    /**
     * The network's output for x [n, c, h, w] at times t [n]; {@code labels} (one per example, {@code -1} for "no
     * class") when the network has classes, else null. Dropout draws from {@code rng} in training.
     */
    public NdArray forward(NdArray x, NdArray t, int[] labels, Rng rng) {
        int levels = config.mults().length;
        int factor = 1 << (levels - 1);
        if (x.rank() != 4 || x.dim(1) != config.channels() || x.dim(2) % factor != 0 || x.dim(3) % factor != 0) {
            throw new IllegalArgumentException("the U-Net takes [n, " + config.channels() + ", h, w] with h and w divisible by "
                    + factor + ", got " + Arrays.toString(x.shape()));
        }
        NdArray temb = time.forward(t);
        if (classTable != null) {
            temb = F.add(temb, F.embedding(classTable, classRows(labels, x.dim(0), config.classes())));
        }
        List<NdArray> skips = new ArrayList<>();
        NdArray h = in.forward(x);
        skips.add(h);
        int d = 0;
        for (int l = 0; l < levels; l++) {
            for (int b = 0; b < config.blocks(); b++) {
                h = down.get(d++).forward(h, temb, rng);
                skips.add(h);
            }
            if (l < levels - 1) {
                h = downsample.get(l).forward(h);
                skips.add(h);
            }
        }
        h = mid2.forward(mid1.forward(h, temb, rng), temb, rng);
        int u = 0;
        int us = 0;
        for (int l = levels - 1; l >= 0; l--) {
            for (int b = 0; b <= config.blocks(); b++) {
                h = up.get(u++).forward(F.concat(1, h, skips.remove(skips.size() - 1)), temb, rng);
            }
            if (l > 0) {
                h = upsample.get(us++).forward(Conv.upsampleNearest2d(h, 2));
            }
        }
        return out.forward(Activation.SILU.forward(outNorm.forward(h)));
    }

    /**
     * The rows of a class-embedding table with a last "no class" row for {@code labels} (one per example, -1 for no
     * class); fails naming a label out of range or a missing one.
     */
    public static int[] classRows(int[] labels, int n, int classes) {
        if (labels == null || labels.length != n) {
            throw new IllegalArgumentException("a class-conditional network needs one label per example (-1 for none), got "
                    + (labels == null ? "none" : labels.length + " for " + n + " examples"));
        }
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            if (labels[i] < -1 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " is not a class in 0.." + (classes - 1) + " or -1");
            }
            rows[i] = labels[i] < 0 ? classes : labels[i];
        }
        return rows;
    }
}
