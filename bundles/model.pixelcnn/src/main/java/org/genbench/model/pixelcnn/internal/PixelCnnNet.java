package org.genbench.model.pixelcnn.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.Conv2d;
import org.genbench.nn.modules.MaskedConv2d;

/**
 * PixelCNN's network (van den Oord, Kalchbrenner and Kavukcuoglu 2016, section 3.4 and figure 5) for one channel: a
 * k x k masked convolution of type A to 2h channels, residual blocks (ReLU, 1x1 to h, ReLU, 3x3 masked type B, ReLU,
 * 1x1 back to 2h, plus the input), then ReLU, a 1x1 convolution to the head's width, ReLU and a 1x1 convolution to
 * the outputs per pixel. Output (i, j) sees only the pixels before (i, j) in raster order; its receptive field
 * reaches {@link #radius()} rows up and columns to either side.
 */
final class PixelCnnNet extends Module {
    private final MaskedConv2d in;
    private final List<Conv2d[]> blocks = new ArrayList<>();
    private final Conv2d head;
    private final Conv2d out;
    private final int radius;

    PixelCnnNet(int channels, int blocks, int kernel, int headChannels, int outputs, DType dtype, Rng rng) {
        int h2 = 2 * channels;
        this.in = child("in", new MaskedConv2d(1, h2, kernel, MaskedConv2d.Type.A, 1, true, dtype, rng));
        for (int b = 0; b < blocks; b++) {
            Conv2d down = child("block" + b + "_down", new Conv2d(h2, channels, 1, 1, 0, true, dtype, rng));
            Conv2d mid = child("block" + b + "_masked", new MaskedConv2d(channels, channels, 3, MaskedConv2d.Type.B, 1,
                    true, dtype, rng));
            Conv2d up = child("block" + b + "_up", new Conv2d(channels, h2, 1, 1, 0, true, dtype, rng));
            this.blocks.add(new Conv2d[] {down, mid, up});
        }
        this.head = child("head", new Conv2d(h2, headChannels, 1, 1, 0, true, dtype, rng));
        this.out = child("out", new Conv2d(headChannels, outputs, 1, 1, 0, true, dtype, rng));
        this.radius = kernel / 2 + blocks;
    }

    /** x [n, 1, h, w] (scaled to [-1, 1]) to [n, outputs, h, w]. */
    NdArray forward(NdArray x) {
        NdArray h = in.forward(x);
        for (Conv2d[] b : blocks) {
            NdArray r = b[0].forward(F.relu(h));
            r = b[1].forward(F.relu(r));
            r = b[2].forward(F.relu(r));
            h = F.add(h, r);
        }
        return out.forward(F.relu(head.forward(F.relu(h))));
    }

    /** How far the receptive field of an output reaches: rows above, and columns to either side. */
    int radius() {
        return radius;
    }
}
