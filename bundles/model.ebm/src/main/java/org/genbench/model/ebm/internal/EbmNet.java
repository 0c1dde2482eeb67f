package org.genbench.model.ebm.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Graph;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.Conv2d;
import org.genbench.nn.modules.Linear;

/**
 * An energy network E(x), one of two kinds:
 * <ul>
 * <li>{@code mlp}: {@code depth} softplus hidden layers of {@code hidden} units and one linear output. Its input
 * gradient dE/dx is written out as a graph of nn ops (the chain rule through the layers: softplus' derivative is the
 * sigmoid), so that a loss on dE/dx (denoising score matching) is differentiated in the weights by nn's first-order
 * reverse mode.</li>
 * <li>{@code conv}, for images [C, H, W]: three 3x3 convolutions of stride 2 (C to c, c to 2c, 2c to 2c channels,
 * SiLU after each; 28x28 becomes 14, 7, 4), a linear layer of {@code hidden} SiLU units and a linear output, the
 * small conv energy of Du and Mordatch (2019) style. Its dE/dx comes from nn's autograd (a graph that differentiates
 * by the input only), which is all Langevin maximum likelihood needs: the chains use dE/dx as a constant, and the
 * weights' gradient is that of E(data) - E(chains). Denoising score matching would need the weights' gradient of a
 * loss on dE/dx, a second-order derivative nn does not have, so the conv energy is trained by Langevin only.</li>
 * </ul>
 * The replay buffer of Langevin maximum likelihood is a buffer of this module ({@code replay}, [bufferSize, d]), so a
 * checkpoint holds it and a resumed run continues the same chains.
 */
final class EbmNet extends Module {
    private final List<Linear> layers = new ArrayList<>();
    private final List<Conv2d> convs = new ArrayList<>();
    private final Linear out;
    private final NdArray replay;
    private final int[] image;

    /** An MLP energy on vectors of d values. */
    EbmNet(int d, int hidden, int depth, int bufferSize, double initLow, double initHigh, DType dtype, Rng rng) {
        int in = d;
        for (int l = 0; l < depth; l++) {
            layers.add(child("layer" + l, new Linear(in, hidden, dtype, rng.split("layer" + l))));
            in = hidden;
        }
        out = child("out", new Linear(in, 1, dtype, rng.split("out")));
        replay = buffer(bufferSize, d, initLow, initHigh, dtype, rng);
        image = null;
    }

    /** A conv energy on images {@code [channels, height, width]} with {@code width} channels in its first layer. */
    EbmNet(int[] image, int width, int hidden, int bufferSize, double initLow, double initHigh, DType dtype, Rng rng) {
        this.image = image.clone();
        int c = image[0];
        int h = image[1];
        int w = image[2];
        int[] channels = {c, width, 2 * width, 2 * width};
        for (int l = 0; l < 3; l++) {
            convs.add(child("conv" + l, new Conv2d(channels[l], channels[l + 1], 3, 2, 1, true, dtype,
                    rng.split("conv" + l))));
            h = (h + 1) / 2;
            w = (w + 1) / 2;
        }
        layers.add(child("dense", new Linear(channels[3] * h * w, hidden, dtype, rng.split("dense"))));
        out = child("out", new Linear(hidden, 1, dtype, rng.split("out")));
        replay = buffer(bufferSize, c * image[1] * image[2], initLow, initHigh, dtype, rng);
    }

    private NdArray buffer(int bufferSize, int d, double initLow, double initHigh, DType dtype, Rng rng) {
        return bufferSize == 0 ? null
                : buffer("replay", NdArray.uniform(rng.split("replay"), dtype, initLow, initHigh, bufferSize, d));
    }

    boolean convolutional() {
        return image != null;
    }

    /** The replay buffer [bufferSize, d], or null without one. */
    NdArray replay() {
        return replay;
    }

    /** E(x) for x [n, d], shaped [n]. */
    NdArray energy(NdArray x) {
        int n = x.dim(0);
        NdArray h = x;
        if (image != null) {
            h = F.reshape(x, n, image[0], image[1], image[2]);
            for (Conv2d conv : convs) {
                h = F.silu(conv.forward(h));
            }
            h = F.silu(layers.get(0).forward(F.reshape(h, n, h.size() / n)));
        } else {
            for (Linear layer : layers) {
                h = F.softplus(layer.forward(h));
            }
        }
        return F.reshape(out.forward(h), n);
    }

    /**
     * dE/dx for x [n, d], shaped [n, d]. The MLP's is a graph of nn ops, recorded for differentiation in the weights
     * when a graph is open; the conv energy's comes from a graph of its own that differentiates by x alone, and is a
     * constant to any graph open around it.
     */
    NdArray inputGradient(NdArray x) {
        if (image != null) {
            int n = x.dim(0);
            int d = x.size() / n;
            double[] g;
            try (Graph graph = Graph.recordInputsOnly()) {
                NdArray xi = graph.input(x);
                F.sum(energy(xi)).backward();
                g = xi.grad().toDoubleArray();
            }
            NdArray a = NdArray.wrap(g, n, d);
            return x.dtype() == DType.F64 ? a.copy() : a.to(x.dtype());
        }
        List<NdArray> pre = new ArrayList<>();
        NdArray h = x;
        for (Linear layer : layers) {
            NdArray a = layer.forward(h);
            pre.add(a);
            h = F.softplus(a);
        }
        NdArray g = out.weight(); // dE/dh of the last hidden layer, [1, H], broadcast over rows
        for (int l = layers.size() - 1; l >= 0; l--) {
            g = F.mul(F.sigmoid(pre.get(l)), g); // dE/da_l
            g = F.matmul(g, layers.get(l).weight()); // dE/d(input of layer l)
        }
        return g;
    }
}
