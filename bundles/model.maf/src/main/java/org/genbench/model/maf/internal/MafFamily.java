package org.genbench.model.maf.internal;

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
 * Masked autoregressive flows (Papamakarios, Pavlakou and Murray 2017) on flattened data: exact log-density in one
 * pass, sampling by inverting each MADE position by position, a score. 8-bit data is modelled dequantized, through
 * the logit pre-transform the data declares.
 */
@Component(service = ModelFamily.class)
public final class MafFamily implements ModelFamily<MafFamily.Config> {
    public static final String NAME = "maf";
    static final List<String> NORMS = List.of("none", "batchnorm", "actnorm");
    static final List<String> ACTIVATIONS = List.of("relu", "tanh", "elu");

    /**
     * @param layers       MADEs in the stack, 1..64 (default 5); the order reverses from one to the next
     * @param hidden       units per hidden layer of each MADE, 1..16384 (default 512)
     * @param hiddenLayers hidden layers per MADE, 1..8 (default 1)
     * @param activation   {@code relu} (default), {@code tanh} or {@code elu}
     * @param norm         after each MADE: {@code actnorm} (default; data-initialized on the first training batch),
     *                     {@code batchnorm} (the paper's flow batch norm) or {@code none}
     */
    public record Config(Integer layers, Integer hidden, Integer hiddenLayers, String activation, String norm) {
        public Config {
            layers = layers == null ? 5 : layers;
            hidden = hidden == null ? 512 : hidden;
            hiddenLayers = hiddenLayers == null ? 1 : hiddenLayers;
            activation = activation == null ? "relu" : activation;
            norm = norm == null ? "actnorm" : norm;
            if (layers < 1 || layers > 64) {
                throw new IllegalArgumentException("layers must be in 1..64, was " + layers);
            }
            if (hidden < 1 || hidden > 16384) {
                throw new IllegalArgumentException("hidden must be in 1..16384, was " + hidden);
            }
            if (hiddenLayers < 1 || hiddenLayers > 8) {
                throw new IllegalArgumentException("hiddenLayers must be in 1..8, was " + hiddenLayers);
            }
            if (!ACTIVATIONS.contains(activation)) {
                throw new IllegalArgumentException("activation must be one of " + ACTIVATIONS + ", was '" + activation + "'");
            }
            if (!NORMS.contains(norm)) {
                throw new IllegalArgumentException("norm must be one of " + NORMS + ", was '" + norm + "'");
            }
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Masked autoregressive flow: stacked Gaussian MADEs with reversed orders; exact density, sampling, score";
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
        return new MafModel(config, data, rng, org.genbench.nn.DType.F32);
    }
}
