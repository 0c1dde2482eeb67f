package org.genbench.sampler.ddpm.internal;

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
import org.genbench.diffusion.Ddpm;
import org.genbench.diffusion.Denoiser;
import org.genbench.diffusion.Sampling;
import org.genbench.diffusion.TrajectoryPictures;
import org.osgi.service.component.annotations.Component;

/**
 * DDPM's ancestral sampler (Ho et al. 2020, Algorithm 2) for any model with {@link NoisePredictor}: from x_T ~ N(0, I)
 * down every time step (or an evenly spaced subsequence of them, respaced as Nichol and Dhariwal 2021), with the
 * posterior variance or beta, predictions of x_0 clipped to the data's range, and classifier-free guidance for
 * conditional models.
 */
@Component(service = Sampler.class)
public final class DdpmSampler implements Sampler<DdpmSampler.Config> {
    public static final String NAME = "ddpm";

    /**
     * @param samples    how many (default 1000)
     * @param steps      reverse steps, 1..T (default: T, every time step; fewer respace the schedule)
     * @param variance   {@code small} (the posterior's, default) or {@code large} (beta_t)
     * @param clip       clip predictions of x_0 to the data's range when it is bounded (default true)
     * @param guidance   classifier-free guidance weight w for conditional models (default 0)
     * @param label      conditional models: the class of every sample, -1 for none (default: the classes in turn)
     * @param batchSize  examples per network call (default 256)
     * @param trajectory samples whose denoising trajectory is kept (default 0: none)
     * @param frames     snapshots per trajectory, from x_T to the sample (default 10)
     */
    public record Config(Integer samples, Integer steps, String variance, Boolean clip, Double guidance, Integer label,
                         Integer batchSize, Integer trajectory, Integer frames) {
        public Config {
            samples = samples == null ? 1000 : samples;
            variance = variance == null ? Ddpm.SMALL : variance;
            clip = clip == null || clip;
            guidance = guidance == null ? 0 : guidance;
            batchSize = batchSize == null ? 256 : batchSize;
            trajectory = trajectory == null ? 0 : trajectory;
            frames = frames == null ? 10 : frames;
            Sampling.checkCommon(samples, batchSize, trajectory, frames, guidance, label);
            if (steps != null) {
                Sampling.range("steps", steps, 1, 1_000_000);
            }
            new Ddpm.Settings(1, variance, clip);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "DDPM ancestral reverse diffusion (every step, or respaced), clipping, classifier-free guidance";
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
                "the ddpm sampler needs a model with NoisePredictor, got " + model.getClass().getSimpleName()));
        int timesteps = p.alphaBars().length;
        int steps = c.steps() == null ? timesteps : c.steps();
        if (steps > timesteps) {
            throw new IllegalArgumentException("steps must be in 1.." + timesteps + " (the model's timesteps), was " + steps);
        }
        int n = c.samples();
        long[] shape = model.data().sampleShape();
        int[] labels = Sampling.labels(model, c.label(), n);
        Sampling.checkGuidance(labels, c.guidance());
        Denoiser net = Denoiser.of(p, shape, c.batchSize(), c.guidance(), context.allocator());
        Sampling.Trace trace = new Sampling.Trace(context, n, net.dimension(), steps, c.trajectory(), c.frames(), p.scaling());
        float[] y = Ddpm.sample(net, p.alphaBars(), n, labels, new Ddpm.Settings(steps, c.variance(), c.clip()), null,
                context.rng(), trace);
        if (c.trajectory() > 0) {
            try {
                trace.write(context.outputDirectory(), shape, context.allocator());
                TrajectoryPictures.write(trace, shape, "DDPM, " + steps + " steps", context.outputDirectory());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the trajectory", e);
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sampler", NAME);
        settings.put("timesteps", timesteps);
        settings.put("variance", c.variance());
        settings.put("clip", c.clip());
        settings.put("guidance", c.guidance());
        settings.put("labels", labels == null ? "none" : c.label() == null ? "classes in turn" : "all " + c.label());
        return Sampling.result(NAME, y, n, shape, p.scaling(), context.allocator(),
                Sampling.diagnostics(n, steps, (double) net.evaluations() / n, "ddpm " + c.variance()
                        + (c.guidance() > 0 ? " w=" + c.guidance() : ""), settings));
    }
}
