package org.genbench.sampler.mcmc.internal;

import java.util.Map;
import org.genbench.api.Energy;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.osgi.service.component.annotations.Component;

/** Hamiltonian Monte Carlo with a fixed number of leapfrog steps; needs an energy and its gradient. */
@Component(service = Sampler.class)
public final class HmcSampler implements Sampler<HmcSampler.Config> {
    /** Near the optimum for HMC in high dimension (Beskos et al. 2013) and Stan's default. */
    static final double TARGET_ACCEPTANCE = 0.65;

    /**
     * @param stepSize      the leapfrog step; the trajectory length is stepSize * leapfrogSteps
     * @param leapfrogSteps gradient evaluations per iteration
     * @param adapt         tune stepSize during warmup toward {@link #TARGET_ACCEPTANCE}, then freeze it
     * @param initScale     chains start at initScale * N(0, I) unless the model has DirectSampling
     */
    public record Config(Integer chains, Integer draws, Integer warmup, Integer thin, Double stepSize,
            Integer leapfrogSteps, Boolean adapt, Double initScale) {
        public Config {
            chains = chains == null ? 4 : chains;
            draws = draws == null ? 2000 : draws;
            warmup = warmup == null ? 1000 : warmup;
            thin = thin == null ? 1 : thin;
            stepSize = stepSize == null ? 0.2 : stepSize;
            leapfrogSteps = leapfrogSteps == null ? 10 : leapfrogSteps;
            adapt = adapt == null ? Boolean.TRUE : adapt;
            initScale = initScale == null ? 1.0 : initScale;
            Checks.common(chains, draws, warmup, thin);
            Checks.positive("stepSize", stepSize);
            Checks.atLeast("leapfrogSteps", leapfrogSteps, 1);
            Checks.atMost("leapfrogSteps", leapfrogSteps, Checks.MAX_LEAPFROG, "gradient evaluations per iteration");
            Checks.positive("initScale", initScale);
        }

        Settings settings() {
            return new Settings(chains, draws, warmup, thin, stepSize, adapt, initScale);
        }
    }

    public HmcSampler() {
    }

    @Override
    public String name() {
        return "hmc";
    }

    @Override
    public String description() {
        return "Hamiltonian Monte Carlo (leapfrog), parallel chains, step size adapted in warmup";
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
        return Requirement.allOf(Energy.class);
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        Settings settings = config.settings();
        int steps = config.leapfrogSteps();
        try (Target target = Target.energy(model, settings.chains(), context.allocator())) {
            return new ChainRunner(name(), settings, TARGET_ACCEPTANCE, Map.of("leapfrog_steps", steps))
                    .run(model, target, (t, initial, rngs) -> new HmcKernel(t, initial, rngs, steps), context);
        }
    }
}
