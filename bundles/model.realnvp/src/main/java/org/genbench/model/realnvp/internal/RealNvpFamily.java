package org.genbench.model.realnvp.internal;

import java.util.List;
import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.osgi.service.component.annotations.Component;

/**
 * RealNVP (Dinh, Sohl-Dickstein and Bengio 2017): a normalizing flow of affine couplings with an exact log-density,
 * one-pass sampling and a score. Images get the multi-scale architecture with ResNet couplings, flat data (2-D toys)
 * alternating masks with MLP couplings. 8-bit data is modelled dequantized, through the logit pre-transform the
 * data declares.
 */
@Component(service = ModelFamily.class)
public final class RealNvpFamily implements ModelFamily<RealNvpFamily.Config> {
    public static final String NAME = "realnvp";
    static final List<String> COUPLINGS = List.of("auto", "resnet", "mlp");
    static final List<String> NORMS = List.of("actnorm", "batchnorm", "none");

    /**
     * @param coupling  {@code auto} (default: {@code resnet} for images [c, h, w], {@code mlp} otherwise),
     *                  {@code resnet} or {@code mlp}
     * @param scales    multi-scale levels for images, 1..6 (default 2); height and width must be divisible by
     *                  2^(scales - 1)
     * @param channels  hidden channels of the ResNet couplings, 1..1024 (default 32)
     * @param blocks    residual blocks per ResNet coupling, 0..32 (default 2)
     * @param couplings couplings of the flat (MLP) flow, 1..64 (default 8)
     * @param hidden    hidden units of the MLP couplings, 1..8192 (default 64)
     * @param layers    hidden layers of the MLP couplings, 1..8 (default 2)
     * @param norm      after every coupling: {@code actnorm} (default; data-initialized on the first training batch),
     *                  {@code batchnorm} (a flow batch norm, and batch norm inside the ResNets, as in RealNVP) or
     *                  {@code none}
     */
    public record Config(String coupling, Integer scales, Integer channels, Integer blocks, Integer couplings,
                         Integer hidden, Integer layers, String norm) {
        public Config {
            coupling = coupling == null ? "auto" : coupling;
            scales = scales == null ? 2 : scales;
            channels = channels == null ? 32 : channels;
            blocks = blocks == null ? 2 : blocks;
            couplings = couplings == null ? 8 : couplings;
            hidden = hidden == null ? 64 : hidden;
            layers = layers == null ? 2 : layers;
            norm = norm == null ? "actnorm" : norm;
            if (!COUPLINGS.contains(coupling)) {
                throw new IllegalArgumentException("coupling must be one of " + COUPLINGS + ", was '" + coupling + "'");
            }
            range("scales", scales, 1, 6);
            range("channels", channels, 1, 1024);
            range("blocks", blocks, 0, 32);
            range("couplings", couplings, 1, 64);
            range("hidden", hidden, 1, 8192);
            range("layers", layers, 1, 8);
            if (!NORMS.contains(norm)) {
                throw new IllegalArgumentException("norm must be one of " + NORMS + ", was '" + norm + "'");
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null);
        }

        private static void range(String field, int v, int lo, int hi) {
            if (v < lo || v > hi) {
                throw new IllegalArgumentException(field + " must be in " + lo + ".." + hi + ", was " + v);
            }
        }

        /** The coupling kind for data of this shape. */
        String resolvedCoupling(long[] sampleShape) {
            if (!coupling.equals("auto")) {
                return coupling;
            }
            return sampleShape.length == 3 ? "resnet" : "mlp";
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "RealNVP flow: affine couplings (checkerboard/channel masks, multi-scale, ResNet or MLP nets, ActNorm or"
                + " batch norm); exact density, sampling, score";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LogDensity.class, DirectSampling.class, Score.class, GradientTrainable.class, Persistent.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return new RealNvpModel(config, data, rng, org.genbench.nn.DType.F32);
    }
}
