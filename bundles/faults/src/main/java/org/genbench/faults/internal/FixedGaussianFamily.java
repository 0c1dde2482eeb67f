package org.genbench.faults.internal;

import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Persistent;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.osgi.service.component.annotations.Component;

/**
 * N(mean, scale^2 I) in the data's dimension, with its parameters given in the spec: a model with nothing to fit,
 * which runs without a trainer.
 */
@Component(service = ModelFamily.class)
public final class FixedGaussianFamily implements ModelFamily<FixedGaussianFamily.Config> {
    /**
     * @param mean  every coordinate's mean (default 0)
     * @param scale every coordinate's standard deviation (default 1, > 0)
     */
    public record Config(Double mean, Double scale) {
        public Config {
            mean = mean == null ? 0.0 : mean;
            scale = scale == null ? 1.0 : scale;
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("scale must be > 0 and finite, was " + scale);
            }
        }
    }

    @Override
    public String name() {
        return "fixed-gaussian";
    }

    @Override
    public String description() {
        return "N(mean, scale^2 I) with its parameters in the spec; needs no trainer (test plug-in)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(DirectSampling.class, LogDensity.class, Score.class, Energy.class, Persistent.class);
    }

    @Override
    public boolean needsTraining() {
        return false;
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        return new FixedGaussian(data, config.mean(), config.scale());
    }
}
