package org.genbench.nn.modules;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;

/**
 * An MLP that takes a time (or noise level) per example, the denoiser and score network of diffusion and score models
 * on vectors (the 2-D toy sets): x [n, d] and t [n] to [n, d]. The time is embedded ({@link TimeEmbedding}:
 * sinusoidal, then a two-layer MLP), optionally plus a learned class embedding with one extra "no class" row for
 * classifier-free guidance, as in {@link UNet}; each hidden layer adds its own projection of the embedding before the
 * activation: {@code h <- act(W h + b + P silu(e))}.
 */
public final class TimeMlp extends Module {
    /**
     * @param dim      the input and output size d
     * @param hidden   units per hidden layer
     * @param layers   hidden layers, at least 1
     * @param timeDim  size of the sinusoidal embedding (even, at least 2)
     * @param classes  number of classes (0: not conditional)
     */
    public record Config(int dim, int hidden, int layers, int timeDim, int classes) {
        public Config {
            if (dim < 1) {
                throw new IllegalArgumentException("dim must be >= 1, was " + dim);
            }
            if (hidden < 1) {
                throw new IllegalArgumentException("hidden must be >= 1, was " + hidden);
            }
            if (layers < 1) {
                throw new IllegalArgumentException("layers must be >= 1, was " + layers);
            }
            if (timeDim < 2 || timeDim % 2 != 0) {
                throw new IllegalArgumentException("timeDim must be even and >= 2, was " + timeDim);
            }
            if (classes < 0) {
                throw new IllegalArgumentException("classes must be >= 0, was " + classes);
            }
        }
    }

    private final Config config;
    private final Activation act;
    private final TimeEmbedding time;
    private final NdArray classTable;
    private final List<Linear> hidden = new ArrayList<>();
    private final List<Linear> timeProjections = new ArrayList<>();
    private final Linear out;

    public TimeMlp(Config c, Activation act, DType dtype, Rng rng) {
        this.config = c;
        this.act = act;
        this.time = child("time", new TimeEmbedding(c.timeDim(), c.hidden(), dtype, rng));
        this.classTable = c.classes() > 0
                ? param("class_embedding", NdArray.randn(rng, dtype, 1.0, c.classes() + 1, c.hidden())) : null;
        for (int i = 0; i < c.layers(); i++) {
            hidden.add(child("hidden" + i, new Linear(i == 0 ? c.dim() : c.hidden(), c.hidden(), dtype, rng)));
            timeProjections.add(child("time" + i, new Linear(c.hidden(), c.hidden(), dtype, rng)));
        }
        this.out = child("out", new Linear(c.hidden(), c.dim(), dtype, rng));
    }

    public Config config() {
        return config;
    }

    /**
     * The output for x [n, dim] at times t [n]; {@code labels} (one per example, -1 for "no class") when the network
     * has classes, else null.
     */
    public NdArray forward(NdArray x, NdArray t, int[] labels) {
        if (x.rank() != 2 || x.dim(1) != config.dim()) {
            throw new IllegalArgumentException("the MLP takes [n, " + config.dim() + "], got "
                    + java.util.Arrays.toString(x.shape()));
        }
        if (t.size() != x.dim(0)) {
            throw new IllegalArgumentException("one time per example: " + t.size() + " times for " + x.dim(0) + " rows");
        }
        NdArray temb = time.forward(t);
        if (classTable != null) {
            temb = F.add(temb, F.embedding(classTable, UNet.classRows(labels, x.dim(0), config.classes())));
        } else if (labels != null) {
            throw new IllegalArgumentException("this network has no classes; pass null labels");
        }
        NdArray e = Activation.SILU.forward(temb);
        NdArray h = x;
        for (int i = 0; i < hidden.size(); i++) {
            h = act.forward(F.add(hidden.get(i).forward(h), timeProjections.get(i).forward(e)));
        }
        return out.forward(h);
    }
}
