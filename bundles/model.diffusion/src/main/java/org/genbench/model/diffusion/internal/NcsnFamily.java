package org.genbench.model.diffusion.internal;

import java.util.Objects;
import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.NoiseConditionalScore;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.diffusion.Schedules;
import org.genbench.nn.DType;
import org.osgi.service.component.annotations.Component;

/**
 * Noise-conditional score networks (Song and Ermon 2019, with NCSNv2's choices, Song and Ermon 2020): a network
 * estimates the score of the data convolved with N(0, sigma^2 I) at every noise level between sigmaMin and sigmaMax,
 * trained by denoising score matching with weight sigma^2, 0.5 ||sigma s(x + sigma z, sigma) + z||^2, sigma
 * log-uniform in that range per example. The network sees the noise level through the same time embedding a DDPM
 * uses (log sigma mapped onto 0..999) and its output is divided by sigma (NCSNv2's technique 3). Samplers (annealed
 * Langevin, predictor-corrector) draw through {@link NoiseConditionalScore} at the model's geometric levels (or any
 * others in the range), from an exponential moving average of the weights.
 */
@Component(service = ModelFamily.class)
public final class NcsnFamily implements ModelFamily<NcsnFamily.Config> {
    public static final String NAME = "ncsn";

    /**
     * @param network  {@code unet} (images) or {@code mlp} (vectors); default from the data
     * @param hidden   mlp: units per hidden layer (default 128, 1..65536)
     * @param layers   mlp: hidden layers (default 3, 1..16)
     * @param timeDim  mlp: size of the sinusoidal noise-level embedding (default 64, even, 2..4096)
     * @param channels unet: base channels (default 32, 1..1024)
     * @param mults    unet: channel multiplier per level (default [1, 2, 2])
     * @param blocks   unet: residual blocks per level (default 1, 1..8)
     * @param dropout  unet: dropout (default 0, in [0, 1))
     * @param sigmaMax the largest noise level, about the largest distance between two data points (NCSNv2's technique
     *                 1); default 50 for images (in [-1, 1]), 5 for vectors
     * @param sigmaMin the smallest noise level (default 0.01), > 0 and below sigmaMax
     * @param levels   L, the geometric levels samplers anneal through (default 232 for images, NCSNv2's count for
     *                 CIFAR-10; 50 for vectors; 2..10000)
     * @param emaDecay decay of the moving average of the weights samplers use (default 0.999, in [0, 1); 0: none)
     */
    public record Config(String network, Integer hidden, Integer layers, Integer timeDim, Integer channels, int[] mults,
                         Integer blocks, Double dropout, Double sigmaMax, Double sigmaMin, Integer levels,
                         Double emaDecay) {
        public Config {
            Network.Settings net = Network.Settings.of(network, hidden, layers, timeDim, channels, mults, blocks, dropout);
            hidden = net.hidden();
            layers = net.layers();
            timeDim = net.timeDim();
            channels = net.channels();
            mults = net.mults();
            blocks = net.blocks();
            dropout = net.dropout();
            sigmaMin = sigmaMin == null ? 0.01 : sigmaMin;
            if (!(sigmaMin > 0) || Double.isInfinite(sigmaMin)) {
                throw new IllegalArgumentException("sigmaMin must be finite and > 0, was " + sigmaMin);
            }
            if (sigmaMax != null && (!(sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax))) {
                throw new IllegalArgumentException("sigmaMax must be finite and above sigmaMin (" + sigmaMin + "), was "
                        + sigmaMax);
            }
            if (levels != null && (levels < 2 || levels > 10000)) {
                throw new IllegalArgumentException("levels must be between 2 and 10000, was " + levels);
            }
            emaDecay = emaDecay == null ? 0.999 : emaDecay;
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("emaDecay must be in [0, 1), was " + emaDecay);
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null);
        }

        Network.Settings networkSettings() {
            return new Network.Settings(network, hidden, layers, timeDim, channels, mults, blocks, dropout);
        }

        /** The settings with the data-dependent defaults filled in (what the model and its checkpoint record). */
        Config resolve(DataInfo data) {
            boolean image = Spaces.isImage(data);
            double max = sigmaMax != null ? sigmaMax : image ? 50 : 5;
            if (!(max > sigmaMin)) {
                throw new IllegalArgumentException("sigmaMax (" + max + ") must be above sigmaMin (" + sigmaMin + ")");
            }
            int l = levels != null ? levels : image ? 232 : 50;
            return new Config(network, hidden, layers, timeDim, channels, mults, blocks, dropout, max, sigmaMin, l, emaDecay);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "NCSN: noise-conditional score network (U-Net or MLP), geometric noise levels, denoising score matching";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(NoiseConditionalScore.class, GradientTrainable.class, Persistent.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return create(config, data, rng, DType.F32);
    }

    static NcsnModel create(Config config, DataInfo data, Rng rng, DType dtype) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(data, "data");
        Spaces.check(NAME, data);
        Network.choose(config.networkSettings(), data);
        Config resolved = config.resolve(data);
        Schedules.geometricSigmas(resolved.sigmaMax(), resolved.sigmaMin(), resolved.levels());
        return new NcsnModel(resolved, data, rng, dtype);
    }
}
