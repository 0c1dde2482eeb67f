package org.genbench.sampler.mcmc.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genbench.api.Energy;
import org.genbench.api.LogDensity;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Score;
import org.genbench.api.Sampler;
import org.osgi.service.component.annotations.Component;

/**
 * Metropolis-adjusted Langevin. Requires Energy, or LogDensity and Score together: the gradient alone would
 * give unadjusted Langevin, which is biased; the Metropolis correction needs log p~ up to a constant, and that
 * comes from Energy (-E, with -dE/dx as the score) or from LogDensity beside a Score.
 */
@Component(service = Sampler.class)
public final class MalaSampler implements Sampler<MalaSampler.Config> {
    /** The optimal acceptance rate for MALA in high dimension (Roberts and Rosenthal 1998). */
    static final double TARGET_ACCEPTANCE = 0.574;

    /**
     * @param stepSize  h in x' = x + (h^2 / 2) grad log p(x) + h z: the proposal noise scale
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
            stepSize = stepSize == null ? 0.5 : stepSize;
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

    public MalaSampler() {
    }

    @Override
    public String name() {
        return "mala";
    }

    @Override
    public String description() {
        return "Metropolis-adjusted Langevin (MALA), parallel chains, step size adapted in warmup";
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
        return new Requirement(List.of(Set.of(Energy.class), Set.of(LogDensity.class, Score.class)));
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        Settings settings = config.settings();
        try (Target target = Target.densityWithGradient(model, settings.chains(), context.allocator())) {
            return new ChainRunner(name(), settings, TARGET_ACCEPTANCE, Map.of())
                    .run(model, target, MalaKernel::new, context);
        }
    }
}
