package org.genbench.model.vae.internal;

import java.util.Set;
import org.genbench.api.Autoencoding;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Representation;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/**
 * Variational autoencoders (Kingma and Welling 2014) with MLP or convolutional encoder and decoder, on ND4J with hand-written
 * gradients and Adam: no DL4J layer or SameDiff op class appears in what they save, so a checkpoint loads in any
 * class loader (the class-loading trap of the architecture note). {@code cvae} is the class-conditional variant.
 */
@Component(service = ModelFamily.class)
public final class VaeFamily implements ModelFamily<VaeFamily.Config> {
    public static final String NAME = "vae";

    /**
     * @param architecture encoder and decoder: {@code mlp} (one hidden ReLU layer each; default) or {@code conv}
     *                     (two stride-2 convolutions and their transposes, for images whose sides are multiples of 4)
     * @param hidden       hidden units of the mlp's encoder and decoder (default 256, 1..8192; conv ignores it)
     * @param latent       dimension of z (default 16, 1..1024)
     * @param likelihood   p(x | z): {@code bernoulli} (binary data; the decoder gives logits) or {@code gaussian}
     *                     (mean sigmoid(decoder), fixed standard deviation {@code sigma}); default bernoulli
     * @param sigma        the Gaussian likelihood's standard deviation (default 0.1, > 0)
     * @param boundSamples k of the reported bound: 1 is the ELBO ({@code elbo}, analytic KL), k > 1 the
     *                     importance-weighted bound of Burda et al. 2016 ({@code iwae-k<k>}); default 1
     * @param sampleOutput what sampling returns for a drawn z: {@code mean} (E[x | z], what VAE papers show) or
     *                     {@code draw} (a draw from p(x | z)); default mean
     */
    public record Config(String architecture, Integer hidden, Integer latent, String likelihood, Double sigma,
                         Integer boundSamples, String sampleOutput) {
        public Config {
            architecture = architecture == null ? VaeConfig.MLP : architecture;
            hidden = hidden == null ? 256 : hidden;
            latent = latent == null ? 16 : latent;
            likelihood = likelihood == null ? VaeConfig.BERNOULLI : likelihood;
            sigma = sigma == null ? 0.1 : sigma;
            boundSamples = boundSamples == null ? 1 : boundSamples;
            sampleOutput = sampleOutput == null ? VaeConfig.MEAN : sampleOutput;
            VaeConfig.check(architecture, hidden, latent, likelihood, sigma, boundSamples, sampleOutput);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Variational autoencoder (MLP or conv, Bernoulli or Gaussian likelihood); ELBO or IWAE-k bound";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(DirectSampling.class, LogDensityBound.class, Autoencoding.class, GradientTrainable.class,
                Persistent.class, Representation.class);
    }

    /** Initial weights are drawn from {@code rng}. */
    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return new VaeModel(NAME, VaeModel.Settings.of(config), data, 0, rng);
    }
}
