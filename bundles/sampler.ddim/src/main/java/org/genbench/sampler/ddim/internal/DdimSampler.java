package org.genbench.sampler.ddim.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.genbench.api.Model;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.diffusion.Ddim;
import org.genbench.diffusion.Denoiser;
import org.genbench.diffusion.Sampling;
import org.genbench.diffusion.TrajectoryPictures;
import org.osgi.service.component.annotations.Component;

/**
 * DDIM (Song, Meng and Ermon 2021) for any model with {@link NoisePredictor}: any number of steps on an evenly spaced
 * subsequence of the model's times, stochasticity eta (0: a deterministic map from the initial noise to the sample;
 * 1 with every step: DDPM's ancestral sampler), clipping, classifier-free guidance.
 */
@Component(service = Sampler.class)
public final class DdimSampler implements Sampler<DdimSampler.Config> {
    public static final String NAME = "ddim";

    /**
     * @param samples    how many (default 1000)
     * @param steps      reverse steps, 1..T (default 50)
     * @param eta        stochasticity, >= 0 (default 0: deterministic)
     * @param clip       clip predictions of x_0 to the data's range when it is bounded (default true)
     * @param guidance   classifier-free guidance weight w for conditional models (default 0)
     * @param label      conditional models: the class of every sample, -1 for none (default: the classes in turn)
     * @param batchSize  examples per network call (default 256)
     * @param trajectory samples whose denoising trajectory is kept (default 0: none)
     * @param frames     snapshots per trajectory (default 10)
     */
    public record Config(Integer samples, Integer steps, Double eta, Boolean clip, Double guidance, Integer label,
                         Integer batchSize, Integer trajectory, Integer frames) {
        public Config {
            samples = samples == null ? 1000 : samples;
            steps = steps == null ? 50 : steps;
            eta = eta == null ? 0 : eta;
            clip = clip == null || clip;
            guidance = guidance == null ? 0 : guidance;
            batchSize = batchSize == null ? 256 : batchSize;
            trajectory = trajectory == null ? 0 : trajectory;
            frames = frames == null ? 10 : frames;
            Sampling.checkCommon(samples, batchSize, trajectory, frames, guidance, label);
            Sampling.range("steps", steps, 1, 1_000_000);
            new Ddim.Settings(steps, eta, clip);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "DDIM: any number of steps, eta from deterministic (0) to DDPM-like (1), classifier-free guidance";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(NoisePredictor.class);
    }

    @Override
    public SampleResult sample(Model model, Config c, RunContext context) {
        NoisePredictor p = model.as(NoisePredictor.class).orElseThrow(() -> new IllegalArgumentException(
                "the ddim sampler needs a model with NoisePredictor, got " + model.getClass().getSimpleName()));
        int timesteps = p.alphaBars().length;
        if (c.steps() > timesteps) {
            throw new IllegalArgumentException("steps must be in 1.." + timesteps + " (the model's timesteps), was " + c.steps());
        }
        int n = c.samples();
        long[] shape = model.data().sampleShape();
        int[] labels = Sampling.labels(model, c.label(), n);
        Sampling.checkGuidance(labels, c.guidance());
        Denoiser net = Denoiser.of(p, shape, c.batchSize(), c.guidance(), context.allocator());
        Sampling.Trace trace = new Sampling.Trace(context, n, net.dimension(), c.steps(), c.trajectory(), c.frames(),
                p.scaling());
        float[] y = Ddim.sample(net, p.alphaBars(), n, labels, new Ddim.Settings(c.steps(), c.eta(), c.clip()), null,
                context.rng(), trace);
        if (c.trajectory() > 0) {
            try {
                trace.write(context.outputDirectory(), shape, context.allocator());
                TrajectoryPictures.write(trace, shape, "DDIM, " + c.steps() + " steps, eta " + c.eta(), context.outputDirectory());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the trajectory", e);
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sampler", NAME);
        settings.put("timesteps", timesteps);
        settings.put("eta", c.eta());
        settings.put("clip", c.clip());
        settings.put("guidance", c.guidance());
        settings.put("labels", labels == null ? "none" : c.label() == null ? "classes in turn" : "all " + c.label());
        return Sampling.result(NAME, y, n, shape, p.scaling(), context.allocator(),
                Sampling.diagnostics(n, c.steps(), (double) net.evaluations() / n, "ddim eta=" + c.eta()
                        + (c.guidance() > 0 ? " w=" + c.guidance() : ""), settings));
    }
}
