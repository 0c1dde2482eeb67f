package org.genbench.sampler.annealed.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.genbench.api.Model;
import org.genbench.api.NoiseConditionalScore;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.diffusion.AnnealedLangevin;
import org.genbench.diffusion.Denoiser;
import org.genbench.diffusion.Sampling;
import org.genbench.diffusion.Schedules;
import org.genbench.diffusion.TrajectoryPictures;
import org.osgi.service.component.annotations.Component;

/**
 * Annealed Langevin dynamics (Song and Ermon 2019) for any model with {@link NoiseConditionalScore}: Langevin steps at
 * each noise level from the largest down, step size proportional to sigma^2, and a final denoising step.
 */
@Component(service = Sampler.class)
public final class AnnealedLangevinSampler implements Sampler<AnnealedLangevinSampler.Config> {
    public static final String NAME = "annealed-langevin";

    /**
     * @param samples       how many (default 1000)
     * @param stepsPerLevel Langevin steps at each noise level (default 100, as NCSN; NCSNv2 uses 5 with many levels)
     * @param epsilon       step size at the smallest level, alpha_i = epsilon sigma_i^2 / sigma_L^2 (default 2e-5)
     * @param levels        noise levels to anneal through: default the model's own; another count spaces that many
     *                      geometrically between the model's largest and smallest (2..100000)
     * @param denoise       finish with x + sigma_L^2 s(x, sigma_L) (default true)
     * @param guidance      classifier-free guidance weight for conditional models (default 0)
     * @param label         conditional models: the class of every sample, -1 for none (default: the classes in turn)
     * @param batchSize     examples per network call (default 256)
     * @param trajectory    samples whose trajectory is kept (default 0)
     * @param frames        snapshots per trajectory (default 10)
     */
    public record Config(Integer samples, Integer stepsPerLevel, Double epsilon, Integer levels, Boolean denoise,
                         Double guidance, Integer label, Integer batchSize, Integer trajectory, Integer frames) {
        public Config {
            samples = samples == null ? 1000 : samples;
            stepsPerLevel = stepsPerLevel == null ? 100 : stepsPerLevel;
            epsilon = epsilon == null ? 2e-5 : epsilon;
            denoise = denoise == null || denoise;
            guidance = guidance == null ? 0 : guidance;
            batchSize = batchSize == null ? 256 : batchSize;
            trajectory = trajectory == null ? 0 : trajectory;
            frames = frames == null ? 10 : frames;
            Sampling.checkCommon(samples, batchSize, trajectory, frames, guidance, label);
            Sampling.range("stepsPerLevel", stepsPerLevel, 1, 1_000_000);
            if (levels != null) {
                Sampling.range("levels", levels, 2, 100_000);
            }
            new AnnealedLangevin.Settings(stepsPerLevel, epsilon, denoise);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Annealed Langevin dynamics through a score model's noise levels, with a final denoising step";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(NoiseConditionalScore.class);
    }

    @Override
    public SampleResult sample(Model model, Config c, RunContext context) {
        NoiseConditionalScore s = model.as(NoiseConditionalScore.class).orElseThrow(() -> new IllegalArgumentException(
                "annealed Langevin needs a model with NoiseConditionalScore, got " + model.getClass().getSimpleName()));
        double[] own = s.sigmas();
        Schedules.checkSigmas(own);
        double[] sigmas = c.levels() == null ? own : Schedules.geometricSigmas(own[0], own[own.length - 1], c.levels());
        int n = c.samples();
        long[] shape = model.data().sampleShape();
        int[] labels = Sampling.labels(model, c.label(), n);
        Sampling.checkGuidance(labels, c.guidance());
        Denoiser net = Denoiser.of(s, shape, c.batchSize(), c.guidance(), context.allocator());
        int steps = sigmas.length * c.stepsPerLevel() + (c.denoise() ? 1 : 0);
        Sampling.Trace trace = new Sampling.Trace(context, n, net.dimension(), steps, c.trajectory(), c.frames(), s.scaling());
        float[] y = AnnealedLangevin.sample(net, sigmas, n, labels, new AnnealedLangevin.Settings(c.stepsPerLevel(),
                c.epsilon(), c.denoise()), null, context.rng(), trace);
        if (c.trajectory() > 0) {
            try {
                trace.write(context.outputDirectory(), shape, context.allocator());
                TrajectoryPictures.write(trace, shape, "annealed Langevin, " + sigmas.length + " levels x "
                        + c.stepsPerLevel(), context.outputDirectory());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the trajectory", e);
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sampler", NAME);
        settings.put("levels", sigmas.length);
        settings.put("sigma_max", sigmas[0]);
        settings.put("sigma_min", sigmas[sigmas.length - 1]);
        settings.put("steps_per_level", c.stepsPerLevel());
        settings.put("epsilon", c.epsilon());
        settings.put("denoise", c.denoise());
        settings.put("guidance", c.guidance());
        return Sampling.result(NAME, y, n, shape, s.scaling(), context.allocator(),
                Sampling.diagnostics(n, steps, (double) net.evaluations() / n, "annealed-langevin eps=" + c.epsilon()
                        + " levels=" + sigmas.length, settings));
    }
}
