package org.genbench.model.realnvp.internal;

import java.util.ArrayList;
import java.util.List;
import org.genbench.api.Rng;
import org.genbench.density.FlowBatchNorm;
import org.genbench.nn.Conv;
import org.genbench.nn.DType;
import org.genbench.nn.F;
import org.genbench.nn.Module;
import org.genbench.nn.NdArray;
import org.genbench.nn.modules.ActNorm;

/**
 * The RealNVP bijection from data to latents and back. For images [c, h, w] the multi-scale architecture of Dinh et
 * al. 2017 (section 3.6): each scale but the last runs 3 checkerboard couplings (alternating parity), squeezes 2x2
 * blocks into channels, runs 3 channel couplings and factors out half the channels as latents; the last scale runs 4
 * checkerboard couplings. For flat data [d], {@code couplings} couplings with alternating masks over the entries and
 * MLP conditioners. Every coupling is followed by a normalization layer (ActNorm, flow batch norm, or none). The
 * base density is a standard normal over all latents.
 */
final class RealNvpFlow extends Module {
    /** One step: a coupling and its normalization. */
    private record Step(Coupling coupling, Module norm) {
    }

    private final boolean image;
    private final int scales;
    private final String norm;
    /** steps[l]: the checkerboard steps of scale l, then (for l < scales - 1) the channel steps after the squeeze. */
    private final List<List<Step>> before = new ArrayList<>();
    private final List<List<Step>> after = new ArrayList<>();
    private final int[] shape;

    RealNvpFlow(RealNvpFamily.Config c, long[] sampleShape, DType dtype, Rng rng) {
        this.norm = c.norm();
        this.image = c.resolvedCoupling(sampleShape).equals("resnet");
        this.shape = new int[sampleShape.length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = (int) sampleShape[i];
        }
        String netNorm = c.norm().equals("batchnorm") ? "batch" : "none";
        if (image) {
            this.scales = c.scales();
            int ch = shape[0];
            for (int l = 0; l < scales; l++) {
                boolean last = l == scales - 1;
                List<Step> b = new ArrayList<>();
                for (int k = 0; k < (last ? 4 : 3); k++) {
                    b.add(step("s" + l + "_checker" + k, Coupling.Mask.CHECKERBOARD, k % 2, ch, c.channels(), c.blocks(),
                            netNorm, dtype, rng));
                }
                before.add(b);
                List<Step> a = new ArrayList<>();
                if (!last) {
                    ch *= 4;
                    for (int k = 0; k < 3; k++) {
                        a.add(step("s" + l + "_channel" + k, Coupling.Mask.CHANNEL, k % 2, ch, c.channels(), c.blocks(),
                                netNorm, dtype, rng));
                    }
                    ch -= ch / 2; // half is factored out
                }
                after.add(a);
            }
        } else {
            this.scales = 1;
            int d = 1;
            for (int s : shape) {
                d *= s;
            }
            List<Step> b = new ArrayList<>();
            for (int k = 0; k < c.couplings(); k++) {
                b.add(step("coupling" + k, Coupling.Mask.VECTOR, k % 2, d, c.hidden(), c.layers(), "none", dtype, rng));
            }
            before.add(b);
            after.add(List.of());
        }
    }

    private Step step(String name, Coupling.Mask mask, int parity, int channels, int hidden, int depth, String netNorm,
                      DType dtype, Rng rng) {
        Coupling coupling = child(name, new Coupling(mask, parity, channels, hidden, depth, netNorm, dtype, rng));
        Module n = switch (norm) {
            case "actnorm" -> child(name + "_actnorm", new ActNorm(channels, dtype));
            case "batchnorm" -> child(name + "_batchnorm", new FlowBatchNorm(channels, dtype));
            default -> null;
        };
        return new Step(coupling, n);
    }

    /** log p(x) per example for x [n, d] (flattened data): the base density of the latents plus log |det|. */
    NdArray logProb(NdArray x) {
        NdArray[] e = encode(x);
        return F.add(standardNormal(e[0]), e[1]);
    }

    /**
     * The latents [n, d] (each scale's factored-out part flattened, in scale order, then the last scale's output)
     * and log |det d latents / dx| per example.
     */
    NdArray[] encode(NdArray x) {
        int n = x.dim(0);
        NdArray h = F.reshape(x, imageShape(n));
        NdArray logDet = NdArray.zeros(x.dtype(), n);
        List<NdArray> latents = new ArrayList<>();
        for (int l = 0; l < scales; l++) {
            for (Step s : before.get(l)) {
                NdArray[] r = forward(s, h);
                h = r[0];
                logDet = F.add(logDet, r[1]);
            }
            if (!after.get(l).isEmpty()) {
                h = Conv.squeeze2d(h);
                for (Step s : after.get(l)) {
                    NdArray[] r = forward(s, h);
                    h = r[0];
                    logDet = F.add(logDet, r[1]);
                }
                int ch = h.dim(1);
                int keep = ch - ch / 2;
                latents.add(F.reshape(F.narrow(h, 1, keep, ch / 2), n, -1));
                h = F.narrow(h, 1, 0, keep);
            }
        }
        latents.add(F.reshape(h, n, -1));
        NdArray z = latents.size() == 1 ? latents.get(0) : F.concat(1, latents.toArray(new NdArray[0]));
        return new NdArray[] {z, logDet};
    }

    private NdArray[] forward(Step s, NdArray h) {
        NdArray[] r = s.coupling().forward(h);
        NdArray y = r[0];
        NdArray logDet = r[1];
        if (s.norm() instanceof ActNorm an) {
            NdArray out = an.forward(y);
            logDet = F.add(logDet, an.logDet(y));
            y = out;
        } else if (s.norm() instanceof FlowBatchNorm bn) {
            NdArray[] o = bn.forward(y);
            y = o[0];
            logDet = F.add(logDet, o[1]);
        }
        return new NdArray[] {y, logDet};
    }

    private NdArray inverse(Step s, NdArray y) {
        if (s.norm() instanceof ActNorm an) {
            y = an.inverse(y);
        } else if (s.norm() instanceof FlowBatchNorm bn) {
            y = bn.inverse(y);
        }
        return s.coupling().inverse(y);
    }

    /** n samples [n, d]: standard normal latents through the inverse. */
    NdArray sample(int n, Rng rng, DType dtype) {
        return decode(NdArray.randn(rng, dtype, 1.0, n, dimension()));
    }

    /** The inverse of {@link #encode}: latents [n, d] to data [n, d]. */
    NdArray decode(NdArray z) {
        int n = z.dim(0);
        // the shapes of the factored-out parts and of the last scale's input, scale by scale
        List<int[]> factored = new ArrayList<>();
        int[] cur = imageShape(n);
        for (int l = 0; l < scales; l++) {
            if (!after.get(l).isEmpty()) {
                int ch = cur[1] * 4;
                int keep = ch - ch / 2;
                factored.add(new int[] {n, ch / 2, cur[2] / 2, cur[3] / 2});
                cur = new int[] {n, keep, cur[2] / 2, cur[3] / 2};
            }
        }
        int offset = 0;
        List<NdArray> parts = new ArrayList<>();
        for (int[] f : factored) {
            int size = f[1] * f[2] * f[3];
            parts.add(F.reshape(F.narrow(z, 1, offset, size), f));
            offset += size;
        }
        int size = z.dim(1) - offset;
        NdArray h = F.reshape(F.narrow(z, 1, offset, size), cur);
        for (int l = scales - 1; l >= 0; l--) {
            if (!after.get(l).isEmpty()) {
                h = F.concat(1, h, parts.get(l));
                List<Step> a = after.get(l);
                for (int k = a.size() - 1; k >= 0; k--) {
                    h = inverse(a.get(k), h);
                }
                h = Conv.unsqueeze2d(h);
            }
            List<Step> b = before.get(l);
            for (int k = b.size() - 1; k >= 0; k--) {
                h = inverse(b.get(k), h);
            }
        }
        return F.reshape(h, n, -1);
    }

    private int dimension() {
        int d = 1;
        for (int s : shape) {
            d *= s;
        }
        return d;
    }

    /** [n, c, h, w] for images, [n, d] otherwise. */
    private int[] imageShape(int n) {
        if (!image) {
            return new int[] {n, dimension()};
        }
        return new int[] {n, shape[0], shape[1], shape[2]};
    }

    private static NdArray standardNormal(NdArray z) {
        int n = z.dim(0);
        int d = z.size() / Math.max(1, n);
        NdArray sq = F.sum(F.reshape(F.square(z), n, d), 1, false);
        return F.add(F.mul(sq, -0.5), -0.5 * d * Math.log(2 * Math.PI));
    }
}
