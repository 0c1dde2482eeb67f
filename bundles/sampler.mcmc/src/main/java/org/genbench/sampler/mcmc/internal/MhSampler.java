package org.genbench.sampler.mcmc.internal;

import java.util.Map;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.osgi.service.component.annotations.Component;

/** Random-walk Metropolis-Hastings; needs only density values, so it works where no gradient exists. */
@Component(service = Sampler.class)
public final class MhSampler implements Sampler<MhSampler.Config> {
    /** The acceptance rate that is optimal for random-walk proposals in high dimension (Roberts et al. 1997). */
    static final double TARGET_ACCEPTANCE = 0.234;

    /**
     * @param stepSize  standard deviation of the Gaussian proposal in every coordinate
     * @param adapt     tune stepSize during warmup toward {@link #TARGET_ACCEPTANCE}, then freeze it
     * @param initScale chains start at initScale * N(0, I) unless the model has DirectSampling
     */
    public record Config(Integer chains, Integer draws, Integer warmup, Integer thin, Double stepSize, Boolean adapt,
            Double initScale) {
        public Config {
            chains = chains == null ? 4 : chains;
            draws = draws == null ? 2000 : draws;
            warmup = warmup == null ? 1000 : warmup;
            thin = thin == null ? 1 : thin;
            stepSize = stepSize == null ? 1.0 : stepSize;
            adapt = adapt == null ? Boolean.TRUE : adapt;
            initScale = initScale == null ? 1.0 : initScale;
            Checks.common(chains, draws, warmup, thin);
            Checks.positive("stepSize", stepSize);
            Checks.positive("initScale", initScale);
        }

        Settings settings() {
            return new Settings(chains, draws, warmup, thin, stepSize, adapt, initScale);
        }
    }

    public MhSampler() {
    }

    @Override
    public String name() {
        return "mh";
    }

    @Override
    public String description() {
        return "Random-walk Metropolis-Hastings, parallel chains, step size adapted in warmup";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public java.util.List<org.genbench.api.MemoryDemand> memory(Config config, org.genbench.api.DataSize data) {
        return Checks.memory(config.chains(), config.draws(), data);
    }

    @Override
    public Requirement requires() {
        return Requirement.anyOf(LogDensity.class, Energy.class);
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        Settings settings = config.settings();
        try (Target target = Target.density(model, settings.chains(), context.allocator())) {
            return new ChainRunner(name(), settings, TARGET_ACCEPTANCE, Map.of())
                    .run(model, target, MetropolisKernel::new, context);
        }
    }
}
