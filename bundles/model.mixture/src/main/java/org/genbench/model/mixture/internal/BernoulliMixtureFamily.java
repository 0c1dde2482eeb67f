package org.genbench.model.mixture.internal;

import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.Clustering;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.DiscreteConditionals;
import org.genbench.api.EmFittable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/**
 * A mixture of K products of independent Bernoullis over binary data (Bishop 2006, section 9.3.3), fitted by EM:
 * p(x) = sum_k pi_k prod_d mu_kd^x_d (1 - mu_kd)^(1 - x_d). The classic latent-variable model of binarized digits:
 * its exact log-likelihood is a baseline for the VAE's bound on the same data, its components are clusters, and its
 * conditionals p(x_d | x_&lt;d) in raster order (a posterior over components updated pixel by pixel) make it an
 * exact-likelihood model an entropy coder can use.
 */
@Component(service = ModelFamily.class)
public final class BernoulliMixtureFamily implements ModelFamily<BernoulliMixtureFamily.Config> {
    public static final String NAME = "bernoulli-mixture";

    /**
     * @param components the number of components K, 1..1000 (default 10)
     * @param smoothing  alpha of the M step's Beta(1 + alpha, 1 + alpha) and Dirichlet(1 + alpha) priors, which keep
     *                   every mu_kd and pi_k away from 0 and 1 (every image keeps a finite code length), > 0 and
     *                   finite (default 1: Laplace's rule)
     */
    public record Config(Integer components, Double smoothing) {
        public Config {
            components = components == null ? 10 : components;
            if (components < 1 || components > 1000) {
                throw new IllegalArgumentException("components must be in 1..1000, was " + components);
            }
            smoothing = smoothing == null ? 1.0 : smoothing;
            if (!(smoothing > 0) || Double.isInfinite(smoothing)) {
                throw new IllegalArgumentException("smoothing must be finite and > 0, was " + smoothing);
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Mixture of independent Bernoullis (EM) for binary data: exact likelihood, clusters, raster-order"
                + " conditionals for entropy coding";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(DirectSampling.class, LogDensity.class, EmFittable.class, Clustering.class,
                DiscreteConditionals.class, Persistent.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        if (!DataInfo.BINARY.equals(data.kind())) {
            throw new IllegalArgumentException(NAME + " models binary data; dataset '" + data.name() + "' is "
                    + data.kind() + " (binarize it, e.g. fashion-mnist's binarize 'threshold')");
        }
        if (data.dimension() < 1 || data.dimension() > 1 << 20) {
            throw new IllegalArgumentException(NAME + " needs 1.." + (1 << 20) + " values per example; dataset '"
                    + data.name() + "' has " + data.dimension());
        }
        return new BernoulliMixtureModel(config, data);
    }
}
