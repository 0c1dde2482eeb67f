package org.genbench.model.ebm.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.Linear;

/**
 * An energy network E(x): an MLP with {@code depth} softplus hidden layers of {@code hidden} units and one linear
 * output, and its input gradient dE/dx written out as a graph of nn ops (the chain rule through the layers:
 * softplus' derivative is the sigmoid), so that a loss on dE/dx (denoising score matching) is differentiated in the
 * weights by nn's first-order reverse mode. The replay buffer of Langevin maximum likelihood is a buffer of this
 * module ({@code replay}, [bufferSize, d]), so a checkpoint holds it and a resumed run continues the same chains.
 */
final class EbmNet extends Module {
    private final List<Linear> layers = new ArrayList<>();
    private final Linear out;
    private final NdArray replay;

    EbmNet(int d, int hidden, int depth, int bufferSize, double initLow, double initHigh, DType dtype, Rng rng) {
        int in = d;
        for (int l = 0; l < depth; l++) {
            layers.add(child("layer" + l, new Linear(in, hidden, dtype, rng.split("layer" + l))));
            in = hidden;
        }
        out = child("out", new Linear(in, 1, dtype, rng.split("out")));
        replay = bufferSize == 0 ? null
                : buffer("replay", NdArray.uniform(rng.split("replay"), dtype, initLow, initHigh, bufferSize, d));
    }

    /** The replay buffer [bufferSize, d], or null without one. */
    NdArray replay() {
        return replay;
    }

    /** E(x) for x [n, d], shaped [n]. */
    NdArray energy(NdArray x) {
        NdArray h = x;
        for (Linear layer : layers) {
            h = F.softplus(layer.forward(h));
        }
        return F.reshape(out.forward(h), x.dim(0));
    }

    /** dE/dx for x [n, d], shaped [n, d]; recorded for differentiation in the weights when a graph is open. */
    NdArray inputGradient(NdArray x) {
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
