package org.genbench.model.diffusion.internal;

import java.util.Objects;
import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.diffusion.Ddpm;
import org.genbench.diffusion.Schedules;
import org.genbench.nn.DType;
import org.osgi.service.component.annotations.Component;

/**
 * Denoising diffusion probabilistic models (Ho et al. 2020): a network predicts the noise eps in x_t = sqrt(abar_t) x_0
 * + sqrt(1 - abar_t) eps, trained on the simple objective ||eps - eps(x_t, t)||^2 with t uniform; nn's U-Net for images,
 * an MLP with a time embedding for vectors. With {@code conditional} the network also sees the class, dropped to "no
 * class" with probability {@code conditionDropout} so that one network gives both halves of classifier-free guidance
 * (Ho and Salimans 2022). Samplers draw through {@link NoisePredictor} (from an exponential moving average of the
 * weights); the variational bound ({@link LogDensityBound}) is on 8-bit values for images in [0, 1] and on the density
 * for vectors.
 */
@Component(service = ModelFamily.class)
public final class DdpmFamily implements ModelFamily<DdpmFamily.Config> {
    public static final String NAME = "ddpm";

    /**
     * @param network          {@code unet} (images) or {@code mlp} (vectors); default from the data
     * @param hidden           mlp: units per hidden layer (default 128, 1..65536)
     * @param layers           mlp: hidden layers (default 3, 1..16)
     * @param timeDim          mlp: size of the sinusoidal time embedding (default 64, even, 2..4096)
     * @param channels         unet: base channels (default 32, 1..1024)
     * @param mults            unet: channel multiplier per resolution level (default [1, 2, 2]: 28, 14, 7 for 28x28)
     * @param blocks           unet: residual blocks per level (default 1, 1..8)
     * @param dropout          unet: dropout in the residual blocks (default 0, in [0, 1))
     * @param timesteps        T, the diffusion steps (default 1000, 2..10000)
     * @param schedule         {@code linear} (Ho et al.; 1e-4..0.02 scaled by 1000 / T) or {@code cosine} (Nichol and
     *                         Dhariwal); default linear
     * @param conditional      class-conditional network (needs labelled data; default false)
     * @param conditionDropout conditional: probability that a training example's class is replaced by "no class"
     *                         (default 0.1, in [0, 1); 0 leaves no unconditional model, so no guidance)
     * @param emaDecay         decay of the moving average of the weights samplers use (default 0.999, in [0, 1); 0:
     *                         the trained weights themselves), warmed up as min(decay, (1 + n) / (10 + n)) after n steps
     * @param boundTerms       KL terms per example in the variational bound, sampled in strata of time (default
     *                         min(T - 1, 50); T - 1 evaluates every term)
     * @param boundVariance    the reverse variance in the bound: {@code small} (posterior, default) or {@code large}
     *                         (beta)
     * @param clip             clip predictions of x_0 to the data's range in the bound and the model's own sampling
     *                         (default true; only bounded data)
     * @param sampleSteps      conditional: DDIM steps of the model's own per-class sampling (the run's per-class
     *                         picture; default 100, 1..T)
     * @param guidance         conditional: classifier-free guidance weight of that sampling (default 0, >= 0)
     */
    public record Config(String network, Integer hidden, Integer layers, Integer timeDim, Integer channels, int[] mults,
                         Integer blocks, Double dropout, Integer timesteps, String schedule, Boolean conditional,
                         Double conditionDropout, Double emaDecay, Integer boundTerms, String boundVariance, Boolean clip,
                         Integer sampleSteps, Double guidance) {
        public Config {
            Network.Settings net = Network.Settings.of(network, hidden, layers, timeDim, channels, mults, blocks, dropout);
            hidden = net.hidden();
            layers = net.layers();
            timeDim = net.timeDim();
            channels = net.channels();
            mults = net.mults();
            blocks = net.blocks();
            dropout = net.dropout();
            timesteps = Network.range("timesteps", timesteps, 1000, 2, 10000);
            schedule = schedule == null ? Schedules.LINEAR : schedule;
            Schedules.betas(schedule, timesteps); // names the field's allowed values
            conditional = conditional != null && conditional;
            conditionDropout = conditionDropout == null ? 0.1 : conditionDropout;
            if (!(conditionDropout >= 0 && conditionDropout < 1)) {
                throw new IllegalArgumentException("conditionDropout must be in [0, 1), was " + conditionDropout);
            }
            emaDecay = emaDecay == null ? 0.999 : emaDecay;
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("emaDecay must be in [0, 1), was " + emaDecay);
            }
            boundTerms = Network.range("boundTerms", boundTerms, Math.min(timesteps - 1, 50), 1, timesteps - 1);
            boundVariance = boundVariance == null ? Ddpm.SMALL : boundVariance;
            if (!boundVariance.equals(Ddpm.SMALL) && !boundVariance.equals(Ddpm.LARGE)) {
                throw new IllegalArgumentException("boundVariance must be 'small' or 'large', was '" + boundVariance + "'");
            }
            clip = clip == null || clip;
            sampleSteps = Network.range("sampleSteps", sampleSteps, Math.min(100, timesteps), 1, timesteps);
            guidance = guidance == null ? 0 : guidance;
            if (!(guidance >= 0) || Double.isInfinite(guidance)) {
                throw new IllegalArgumentException("guidance must be finite and >= 0, was " + guidance);
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null);
        }

        Network.Settings networkSettings() {
            return new Network.Settings(network, hidden, layers, timeDim, channels, mults, blocks, dropout);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "DDPM: noise-predicting U-Net (images) or MLP (vectors), linear or cosine schedule, optional classes with"
                + " classifier-free guidance, variational bound";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /**
     * {@link Conditional} is listed because the composer sees families, not settings; a model built with
     * {@code conditional: false} does not implement it.
     */
    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(NoisePredictor.class, LogDensityBound.class, GradientTrainable.class, Persistent.class,
                Conditional.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return create(config, data, rng, DType.F32);
    }

    /** In float64 for gradient checks. */
    static DdpmModel create(Config config, DataInfo data, Rng rng, DType dtype) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(data, "data");
        Spaces.check(NAME, data);
        Network.choose(config.networkSettings(), data);
        if (config.conditional()) {
            if (data.numClasses() < 2) {
                throw new IllegalArgumentException("a conditional ddpm needs labelled data with at least 2 classes; dataset '"
                        + data.name() + "' has " + data.numClasses());
            }
            return new ConditionalDdpmModel(config, data, rng, dtype);
        }
        return new DdpmModel(config, data, rng, dtype);
    }
}
