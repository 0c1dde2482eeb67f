package org.genbench.model.gaussian.internal;

import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.EmFittable;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.osgi.service.component.annotations.Component;

/**
 * A single full-covariance Gaussian: the smallest complete model family, written against the api alone so it
 * doubles as the plug-in example. Declarative Services registers it; the workbench finds it by {@link #name()}.
 * Because it implements {@link EmFittable}, the EM trainer fits it (one closed-form step reaches the maximum
 * likelihood estimate); because it has {@link LogDensity}, {@link Score} and {@link DirectSampling},
 * the ancestral, Metropolis-Hastings and MALA samplers and the likelihood evaluator work with it. It has no
 * Energy, so composing it with HMC is refused at compose time.
 */
@Component(service = ModelFamily.class)
public final class GaussianFamily implements ModelFamily<GaussianFamily.Config> {

    /**
     * @param regCovar added to the covariance diagonal after every fit, so that a degenerate sample (fewer points
     *     than dimensions, a constant coordinate) still gives a usable density; at least 0, default 1e-6
     */
    public record Config(Double regCovar) {
        public Config {
            regCovar = regCovar == null ? 1e-6 : regCovar;
            if (!(regCovar >= 0) || Double.isInfinite(regCovar)) {
                throw new IllegalArgumentException("regCovar must be a finite number >= 0, was " + regCovar);
            }
        }
    }

    public GaussianFamily() {
    }

    @Override
    public String name() {
        return "gaussian";
    }

    @Override
    public String description() {
        return "A single full-covariance Gaussian, fitted in closed form (the example plug-in)";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LogDensity.class, Score.class, DirectSampling.class, EmFittable.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        if (!DataInfo.CONTINUOUS.equals(data.kind())) {
            throw new IllegalArgumentException("a Gaussian models continuous data; " + data.name() + " is " + data.kind());
        }
        if (data.dimension() < 1 || data.dimension() > 10_000) {
            throw new IllegalArgumentException("a full covariance needs between 1 and 10000 dimensions; "
                    + data.name() + " has " + data.dimension());
        }
        return new GaussianModel(data, config.regCovar());
    }
}
