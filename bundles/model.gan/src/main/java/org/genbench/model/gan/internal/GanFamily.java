package org.genbench.model.gan.internal;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import org.genbench.api.AdversarialTrainable;
import org.genbench.api.Capability;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Representation;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/**
 * Generative adversarial networks (Goodfellow et al. 2014): an MLP pair for vectors (the 2-D toy sets) and a
 * DCGAN pair for images (Radford et al. 2016: transposed convolutions up, strided convolutions down, leaky ReLU in
 * D, N(0, 0.02) weights). With {@code conditional} both networks see the class label (cGAN, Mirza and Osindero
 * 2014): as a one-hot vector appended to G's noise, and to D's input (as constant planes for images).
 */
@Component(service = ModelFamily.class)
public final class GanFamily implements ModelFamily<GanFamily.Config> {
    public static final String NAME = "gan";

    static final String MLP = "mlp";
    static final String DCGAN = "dcgan";
    static final String LINEAR = "linear";
    static final String UNIT = "unit";
    static final String SYMMETRIC = "symmetric";

    /**
     * @param arch          {@code mlp} (vectors) or {@code dcgan} (images {@code [C, H, W]} or {@code [H, W]} with H
     *                      and W divisible by 4); default mlp
     * @param latentDim     size of G's noise z ~ N(0, I) (default 8 for mlp, 64 for dcgan; 1 to 4096)
     * @param hidden        mlp: units per hidden layer (default 128, 1 to 65536)
     * @param hiddenLayers  mlp: hidden layers in each network (default 2, 1 to 16)
     * @param gChannels     dcgan: G's channels before its last layer; it starts at 2 * gChannels at a quarter of the
     *                      image size (default 64, 1 to 4096)
     * @param dChannels     dcgan: D's channels after its first convolution, doubled after its second (default 64, 1
     *                      to 4096)
     * @param conditional   class-conditional G and D (cGAN); needs labelled data (default false)
     * @param output        G's output range: {@code linear}, {@code unit} ([0, 1]) or {@code symmetric} ([-1, 1]);
     *                      default linear for mlp, unit for dcgan (pixel intensities in [0, 1])
     * @param leak          slope of D's leaky ReLU below zero (default 0.2, in [0, 1))
     */
    public record Config(String arch, Integer latentDim, Integer hidden, Integer hiddenLayers, Integer gChannels,
                         Integer dChannels, Boolean conditional, String output, Double leak) {
        public Config {
            arch = arch == null ? MLP : arch;
            if (!arch.equals(MLP) && !arch.equals(DCGAN)) {
                throw new IllegalArgumentException("arch must be one of 'mlp', 'dcgan', was '" + arch + "'");
            }
            latentDim = latentDim == null ? (arch.equals(MLP) ? 8 : 64) : latentDim;
            hidden = hidden == null ? 128 : hidden;
            hiddenLayers = hiddenLayers == null ? 2 : hiddenLayers;
            gChannels = gChannels == null ? 64 : gChannels;
            dChannels = dChannels == null ? 64 : dChannels;
            conditional = conditional != null && conditional;
            output = output == null ? (arch.equals(MLP) ? LINEAR : UNIT) : output;
            leak = leak == null ? 0.2 : leak;
            range("latentDim", latentDim, 1, 4096);
            range("hidden", hidden, 1, 65536);
            range("hiddenLayers", hiddenLayers, 1, 16);
            range("gChannels", gChannels, 1, 4096);
            range("dChannels", dChannels, 1, 4096);
            if (!output.equals(LINEAR) && !output.equals(UNIT) && !output.equals(SYMMETRIC)) {
                throw new IllegalArgumentException("output must be one of 'linear', 'unit', 'symmetric', was '"
                        + output + "'");
            }
            if (!(leak >= 0 && leak < 1)) {
                throw new IllegalArgumentException("leak must be in [0, 1), was " + leak);
            }
        }

        private static void range(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
            }
        }

        /** All defaults. */
        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "GAN: MLP (vectors) or DCGAN (images) generator and discriminator, optionally class-conditional (cGAN)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /**
     * {@link Conditional} is listed because the composer sees families, not settings; a model built with
     * {@code conditional: false} does not implement it, and {@code model.as(Conditional.class)} is empty for it.
     * {@link Representation} (the discriminator's hidden layer) is offered by unconditional models only.
     */
    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(DirectSampling.class, Conditional.class, AdversarialTrainable.class, Persistent.class,
                Representation.class);
    }

    /** Initial weights are drawn from {@code rng}. */
    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(data, "data");
        if (DataInfo.DISCRETE.equals(data.kind())) {
            throw new IllegalArgumentException("gan models continuous or binary data; dataset '" + data.name()
                    + "' is discrete");
        }
        long[] shape = data.sampleShape();
        if (config.arch().equals(MLP) && shape.length != 1) {
            throw new IllegalArgumentException("gan with arch 'mlp' models vectors (sample shape of rank 1); dataset '"
                    + data.name() + "' has sample shape " + Arrays.toString(shape) + "; use arch 'dcgan' for images");
        }
        if (config.arch().equals(DCGAN)) {
            boolean image = (shape.length == 2 || shape.length == 3) && shape[shape.length - 1] % 4 == 0
                    && shape[shape.length - 2] % 4 == 0;
            if (!image) {
                throw new IllegalArgumentException("gan with arch 'dcgan' models images [C, H, W] or [H, W] with H and W"
                        + " divisible by 4; dataset '" + data.name() + "' has sample shape " + Arrays.toString(shape));
            }
        }
        if (config.conditional() && data.numClasses() < 2) {
            throw new IllegalArgumentException("a conditional gan needs labelled data with at least 2 classes; dataset '"
                    + data.name() + "' has " + data.numClasses());
        }
        if (data.dimension() > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("dataset '" + data.name() + "' has " + data.dimension()
                    + " values per example, too many for this gan");
        }
        return GanModel.create(config, data, rng);
    }
}
