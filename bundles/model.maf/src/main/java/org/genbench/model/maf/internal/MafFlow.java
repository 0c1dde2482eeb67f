package org.genbench.model.maf.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.density.FlowBatchNorm;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.ActNorm;
import org.genbench.nn.modules.Activation;
import org.genbench.nn.modules.Made;

/**
 * MAF (Papamakarios, Pavlakou and Murray 2017): a stack of Gaussian MADEs, each an autoregressive affine map
 * u = (x - mu(x_<)) exp(-alpha(x_<)) with log |det du/dx| = -sum alpha, the order reversed from one MADE to the next
 * (natural, reversed, natural, ...), optionally with a normalization layer after each (flow batch norm as in the
 * paper, or ActNorm). Each MADE's output layer starts at zero, so the stack starts as the identity: with random
 * outputs a stack of MADEs on logit-space images (values up to +-14) compounds exp(-alpha) into overflow at the
 * first step. Density: one pass; sampling: D passes per MADE, which {@link Made#incremental} makes cost about
 * one forward pass each.
 */
final class MafFlow extends Module {
    private final List<Made> mades = new ArrayList<>();
    private final List<Module> norms = new ArrayList<>();
    private final int d;

    MafFlow(MafFamily.Config c, int d, DType dtype, Rng rng) {
        this.d = d;
        int[] hidden = new int[c.hiddenLayers()];
        java.util.Arrays.fill(hidden, c.hidden());
        Activation act = Activation.of(c.activation());
        for (int k = 0; k < c.layers(); k++) {
            Made made = child("made" + k, new Made(d, hidden, 2, act, dtype, rng));
            int[] order = Made.natural(d);
            if (k % 2 == 1) {
                for (int i = 0; i < d; i++) {
                    order[i] = d - 1 - i;
                }
            }
            made.connect(order, null);
            made.zeroOutputLayer();
            mades.add(made);
            norms.add(switch (c.norm()) {
                case "batchnorm" -> child("norm" + k, new FlowBatchNorm(d, dtype));
                case "actnorm" -> child("norm" + k, new ActNorm(d, dtype));
                default -> null;
            });
        }
    }

    /** u [n, d] and log |det du/dx| per example. */
    NdArray[] encode(NdArray x) {
        int n = x.dim(0);
        NdArray h = x;
        NdArray logDet = NdArray.zeros(x.dtype(), n);
        for (int k = 0; k < mades.size(); k++) {
            NdArray out = mades.get(k).forward(h);
            NdArray mu = F.narrow(out, 1, 0, d);
            NdArray alpha = F.narrow(out, 1, d, d);
            h = F.mul(F.sub(h, mu), F.exp(F.neg(alpha)));
            logDet = F.sub(logDet, F.sum(alpha, 1, false));
            Module norm = norms.get(k);
            if (norm instanceof FlowBatchNorm bn) {
                NdArray[] r = bn.forward(h);
                h = r[0];
                logDet = F.add(logDet, r[1]);
            } else if (norm instanceof ActNorm an) {
                NdArray y = an.forward(h);
                logDet = F.add(logDet, an.logDet(h));
                h = y;
            }
        }
        return new NdArray[] {h, logDet};
    }

    /** log p(x) per example: standard normal u plus the log-determinant. */
    NdArray logProb(NdArray x) {
        NdArray[] e = encode(x);
        NdArray u = e[0];
        NdArray sq = F.sum(F.square(u), 1, false);
        return F.add(F.add(F.mul(sq, -0.5), -0.5 * d * Math.log(2 * Math.PI)), e[1]);
    }

    /** x from u [n, d]: the norms' inverses and each MADE inverted one position at a time (no gradients). */
    NdArray decode(NdArray u) {
        int n = u.dim(0);
        NdArray h = u;
        for (int k = mades.size() - 1; k >= 0; k--) {
            Module norm = norms.get(k);
            if (norm instanceof FlowBatchNorm bn) {
                h = bn.inverse(h);
            } else if (norm instanceof ActNorm an) {
                h = an.inverse(h);
            }
            double[] uv = h.toDoubleArray();
            Made.Incremental inc = mades.get(k).incremental(n);
            double[] values = new double[n];
            for (int i = 0; i < d; i++) {
                int dim = inc.inputAt(i);
                double[] out = inc.outputs();
                for (int r = 0; r < n; r++) {
                    values[r] = uv[r * d + dim] * Math.exp(out[2 * r + 1]) + out[2 * r];
                }
                inc.set(values);
            }
            NdArray x = NdArray.zeros(u.dtype(), n, d);
            double[] xv = inc.inputs();
            for (int i = 0; i < xv.length; i++) {
                x.setFlat(i, xv[i]);
            }
            h = x;
        }
        return h;
    }

    NdArray sample(int n, Rng rng, DType dtype) {
        return decode(NdArray.randn(rng, dtype, 1.0, n, d));
    }
}
