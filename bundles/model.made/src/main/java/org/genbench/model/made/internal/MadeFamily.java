package org.genbench.model.made.internal;

import java.util.List;
import java.util.Set;
import org.genbench.api.Autoregressive;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.osgi.service.component.annotations.Component;

/**
 * MADE (Germain, Gregor, Murray and Larochelle 2015): p(x) = prod_d p(x_d | x_<d) from one masked MLP. Binary data
 * gets Bernoulli conditionals; continuous and 8-bit data (dequantized, through the declared logit pre-transform)
 * Gaussian or mixture-of-Gaussians conditionals. With several masks, each training step draws one (a new order and
 * new hidden degrees: connectivity-agnostic training), and the density at test time is the ensemble's average.
 */
@Component(service = ModelFamily.class)
public final class MadeFamily implements ModelFamily<MadeFamily.Config> {
    public static final String NAME = "made";
    static final List<String> ACTIVATIONS = List.of("relu", "tanh", "elu");

    /**
     * @param hidden       units per hidden layer, 1..16384 (default 500)
     * @param hiddenLayers hidden layers, 1..8 (default 1)
     * @param activation   {@code relu} (default), {@code tanh} or {@code elu}
     * @param masks        connectivities trained, 1..1024 (default 1: the natural order); above 1, each is a random
     *                     order with random hidden degrees, fixed by the model's seed, and each step uses one
     * @param ensemble     masks averaged in the test density and drawn from when sampling, 1..masks (default all)
     * @param components   Gaussians per conditional for real-valued data, 1..64 (default 1); ignored for binary data.
     *                     Real-valued conditionals are placed on the first training batch (each dimension's mean
     *                     and sd, or its quantiles for a mixture)
     */
    public record Config(Integer hidden, Integer hiddenLayers, String activation, Integer masks, Integer ensemble,
                         Integer components) {
        public Config {
            hidden = hidden == null ? 500 : hidden;
            hiddenLayers = hiddenLayers == null ? 1 : hiddenLayers;
            activation = activation == null ? "relu" : activation;
            masks = masks == null ? 1 : masks;
            ensemble = ensemble == null ? masks : ensemble;
            components = components == null ? 1 : components;
            if (hidden < 1 || hidden > 16384) {
                throw new IllegalArgumentException("hidden must be in 1..16384, was " + hidden);
            }
            if (hiddenLayers < 1 || hiddenLayers > 8) {
                throw new IllegalArgumentException("hiddenLayers must be in 1..8, was " + hiddenLayers);
            }
            if (!ACTIVATIONS.contains(activation)) {
                throw new IllegalArgumentException("activation must be one of " + ACTIVATIONS + ", was '" + activation + "'");
            }
            if (masks < 1 || masks > 1024) {
                throw new IllegalArgumentException("masks must be in 1..1024, was " + masks);
            }
            if (ensemble < 1 || ensemble > masks) {
                throw new IllegalArgumentException("ensemble must be in 1..masks (" + masks + "), was " + ensemble);
            }
            if (components < 1 || components > 64) {
                throw new IllegalArgumentException("components must be in 1..64, was " + components);
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "MADE: masked autoregressive MLP (Bernoulli or Gaussian/MoG conditionals, mask resampling, ensembles);"
                + " exact density, autoregressive sampling";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LogDensity.class, DirectSampling.class, Autoregressive.class, GradientTrainable.class,
                Persistent.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return new MadeModel(config, data, rng, org.genbench.nn.DType.F32);
    }
}
