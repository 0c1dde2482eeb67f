package @@PACKAGE@@.internal;

import java.util.Set;
import org.genbench.api.Capability;
import org.genbench.api.DataInfo;
import org.genbench.api.DirectSampling;
import org.genbench.api.EmFittable;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.ModelFamily;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.osgi.service.component.annotations.Component;

/**
 * The model family "@@NAME@@": a Gaussian with a diagonal covariance (each coordinate independent). Declarative
 * Services registers it as a {@link ModelFamily} when the bundle starts; the workbench finds it by {@link #name()}
 * and checks {@link #capabilities()} against what trainers, samplers and evaluators need: EM fits it
 * ({@link EmFittable}), ancestral sampling draws from it ({@link DirectSampling}), Metropolis-Hastings, MALA and HMC
 * run on it ({@link LogDensity}, {@link Score}, {@link Energy}), the likelihood evaluator scores it.
 */
@Component(service = ModelFamily.class)
public final class @@CLASS@@Family implements ModelFamily<@@CLASS@@Family.Config> {

    /**
     * The spec's {@code "config"} object. Absent fields arrive as null: the constructor fills the defaults and
     * refuses bad values with a message that names the field and the allowed range.
     *
     * @param varianceFloor the smallest variance a coordinate may have after a fit (a constant coordinate would
     *     otherwise have none); from 0 to 1e6, default 1e-6
     */
    public record Config(Double varianceFloor) {
        public Config {
            varianceFloor = varianceFloor == null ? 1e-6 : varianceFloor;
            if (!(varianceFloor >= 0 && varianceFloor <= 1e6)) {
                throw new IllegalArgumentException("varianceFloor must be from 0 to 1e6, was " + varianceFloor);
            }
        }
    }

    @Override
    public String name() {
        return "@@NAME@@";
    }

    @Override
    public String description() {
        return "@@DESCRIPTION@@";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Set<Class<? extends Capability>> capabilities() {
        return Set.of(LogDensity.class, Score.class, Energy.class, DirectSampling.class, EmFittable.class);
    }

    @Override
    public Model create(Config config, DataInfo data, Rng rng) {
        if (!DataInfo.CONTINUOUS.equals(data.kind())) {
            throw new IllegalArgumentException("@@NAME@@ models continuous data; " + data.name() + " is " + data.kind());
        }
        if (data.dimension() < 1 || data.dimension() > 1_000_000) {
            throw new IllegalArgumentException("@@NAME@@ needs from 1 to 1e6 dimensions; " + data.name() + " has "
                    + data.dimension());
        }
        return new @@CLASS@@Model(data, config.varianceFloor());
    }
}
