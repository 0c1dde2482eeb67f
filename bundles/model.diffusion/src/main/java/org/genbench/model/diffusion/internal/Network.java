package org.genbench.model.diffusion.internal;

import java.util.Arrays;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.Activation;
import org.genbench.nn.modules.TimeMlp;
import org.genbench.nn.modules.UNet;

/**
 * The network both families train: nn's {@link UNet} for images, nn's {@link TimeMlp} for vectors; x [n, sampleShape...]
 * and one time value per example (a DDPM's step, an NCSN's noise level mapped to the same range) to an output shaped
 * like x.
 */
final class Network {
    static final String MLP = "mlp";
    static final String UNET = "unet";

    /** The architecture's settings, defaults filled and checked by the family's configuration. */
    record Settings(String network, int hidden, int layers, int timeDim, int channels, int[] mults, int blocks,
                    double dropout) {
        Settings {
            mults = mults.clone();
        }

        /**
         * Fills defaults and checks the shared fields, naming each: network {@code mlp} or {@code unet} (default: unet
         * for images, mlp otherwise; null here means "decide from the data" and is kept null), hidden 1..65536 (default
         * 128), layers 1..16 (3), timeDim even 2..4096 (64), channels 1..1024 (32), mults 1..4 entries of 1..16 ([1, 2,
         * 2]), blocks 1..8 (1), dropout [0, 1) (0).
         */
        static Settings of(String network, Integer hidden, Integer layers, Integer timeDim, Integer channels, int[] mults,
                           Integer blocks, Double dropout) {
            if (network != null && !network.equals(MLP) && !network.equals(UNET)) {
                throw new IllegalArgumentException("network must be 'mlp' or 'unet', was '" + network + "'");
            }
            int h = range("hidden", hidden, 128, 1, 65536);
            int l = range("layers", layers, 3, 1, 16);
            int td = range("timeDim", timeDim, 64, 2, 4096);
            if (td % 2 != 0) {
                throw new IllegalArgumentException("timeDim must be even, was " + td);
            }
            int ch = range("channels", channels, 32, 1, 1024);
            int[] m = mults == null ? new int[] {1, 2, 2} : mults;
            if (m.length < 1 || m.length > 4 || Arrays.stream(m).anyMatch(v -> v < 1 || v > 16)) {
                throw new IllegalArgumentException("mults must have 1 to 4 entries, each 1..16, was " + Arrays.toString(m));
            }
            int b = range("blocks", blocks, 1, 1, 8);
            double d = dropout == null ? 0 : dropout;
            if (!(d >= 0 && d < 1)) {
                throw new IllegalArgumentException("dropout must be in [0, 1), was " + d);
            }
            return new Settings(network, h, l, td, ch, m, b, d);
        }
    }

    static int range(String field, Integer value, int dflt, int min, int max) {
        int v = value == null ? dflt : value;
        if (v < min || v > max) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    private final Module module;
    private final TimeMlp mlp;
    private final UNet unet;
    private final int[] inputShape;

    private Network(Module module, TimeMlp mlp, UNet unet, int[] inputShape) {
        this.module = module;
        this.mlp = mlp;
        this.unet = unet;
        this.inputShape = inputShape;
    }

    /** The architecture the settings name, or the data's natural one; refuses data it cannot take, saying why. */
    static String choose(Settings s, DataInfo data) {
        long[] shape = data.sampleShape();
        boolean image = shape.length == 2 || shape.length == 3;
        String kind = s.network() != null ? s.network() : image ? UNET : MLP;
        if (kind.equals(MLP) && shape.length != 1) {
            throw new IllegalArgumentException("network 'mlp' takes vectors (sample shape of rank 1); dataset '" + data.name()
                    + "' has sample shape " + Arrays.toString(shape) + "; use network 'unet' for images");
        }
        if (kind.equals(UNET)) {
            int factor = 1 << (s.mults().length - 1);
            if (!image || shape[shape.length - 1] % factor != 0 || shape[shape.length - 2] % factor != 0) {
                throw new IllegalArgumentException("network 'unet' with " + s.mults().length + " levels takes images [C, H, W] or"
                        + " [H, W] with H and W divisible by " + factor + "; dataset '" + data.name() + "' has sample shape "
                        + Arrays.toString(shape));
            }
        }
        return kind;
    }

    static Network create(Settings s, DataInfo data, int classes, DType dtype, Rng rng) {
        long[] shape = data.sampleShape();
        String kind = choose(s, data);
        if (kind.equals(MLP)) {
            int dim = Math.toIntExact(shape[0]);
            TimeMlp m = new TimeMlp(new TimeMlp.Config(dim, s.hidden(), s.layers(), s.timeDim(), classes), Activation.SILU,
                    dtype, rng);
            return new Network(m, m, null, new int[] {dim});
        }
        int c = shape.length == 3 ? Math.toIntExact(shape[0]) : 1;
        int h = Math.toIntExact(shape[shape.length - 2]);
        int w = Math.toIntExact(shape[shape.length - 1]);
        UNet u = new UNet(new UNet.Config(c, s.channels(), s.mults(), s.blocks(), classes, s.dropout()), dtype, rng);
        return new Network(u, null, u, new int[] {c, h, w});
    }

    Module module() {
        return module;
    }

    /** Values per example. */
    int dimension() {
        return Arrays.stream(inputShape).reduce(1, (a, b) -> a * b);
    }

    /**
     * x [n, dimension()] (any shape with n rows) at times t [n]; labels one per example (-1: no class) or null; dropout
     * from {@code rng} in training. Returns [n, dimension()].
     */
    NdArray forward(NdArray x, NdArray t, int[] labels, Rng rng) {
        int n = x.dim(0);
        if (mlp != null) {
            return mlp.forward(x.reshape(n, inputShape[0]), t, labels);
        }
        NdArray out = unet.forward(x.reshape(n, inputShape[0], inputShape[1], inputShape[2]), t, labels, rng);
        return out.reshape(n, dimension());
    }
}
