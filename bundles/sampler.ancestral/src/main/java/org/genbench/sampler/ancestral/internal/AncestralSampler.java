package org.genbench.sampler.ancestral.internal;

import java.util.List;
import java.util.Map;
import org.genbench.api.DataSize;
import org.genbench.api.DirectSampling;
import org.genbench.api.MemoryDemand;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/** Independent draws in one pass through a model's generator; no chains, so nothing to diagnose. */
@Component(service = Sampler.class)
public final class AncestralSampler implements Sampler<AncestralSampler.Config> {

    public record Config(Integer samples) {
        public Config {
            samples = samples == null ? 1000 : samples;
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1, was " + samples);
            }
        }
    }

    public AncestralSampler() {
    }

    @Override
    public String name() {
        return "ancestral";
    }

    @Override
    public String description() {
        return "Independent samples from the model's own generator (x = G(z))";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    /** The draws are held whole, at least 4 bytes a value. */
    @Override
    public List<MemoryDemand> memory(Config config, DataSize data) {
        return List.of(new MemoryDemand("samples", config.samples(), 4 * data.dimension(),
                "samples of " + data.dimension() + " values"));
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(DirectSampling.class);
    }

    @Override
    public SampleResult sample(Model model, Config config, RunContext context) {
        DirectSampling generator = model.as(DirectSampling.class).orElseThrow(() -> new IllegalArgumentException(
                "ancestral sampling needs a model with " + requires().describe() + ", got " + model.getClass().getName()));
        int n = config.samples();
        context.progress(0, n);
        Tensor samples = generator.sample(n, context.rng(), context.allocator());
        if (samples.rows() != n) {
            long rows = samples.rows();
            samples.close();
            throw new IllegalStateException("the model returned " + rows + " samples when asked for " + n);
        }
        context.progress(n, n);
        Metric count = new Metric("samples", n, "count", Map.of("samples", n));
        return new SampleResult(samples, 1, List.of(count));
    }
}
