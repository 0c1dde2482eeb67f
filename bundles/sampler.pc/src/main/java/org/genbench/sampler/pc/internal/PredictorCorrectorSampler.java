package org.genbench.sampler.pc.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.genbench.api.DataScaling;
import org.genbench.api.Model;
import org.genbench.api.NoiseConditionalScore;
import org.genbench.api.NoisePredictor;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.SampleResult;
import org.genbench.api.Sampler;
import org.genbench.diffusion.Denoiser;
import org.genbench.diffusion.PredictorCorrector;
import org.genbench.diffusion.Sampling;
import org.genbench.diffusion.Schedules;
import org.genbench.diffusion.TrajectoryPictures;
import org.osgi.service.component.annotations.Component;

/**
 * Predictor-corrector sampling (Song et al. 2021) for any model with {@link NoiseConditionalScore} (variance
 * exploding: reverse-diffusion predictor through geometric noise levels) or {@link NoisePredictor} (variance
 * preserving: DDPM's ancestral step as predictor, the score -eps / sqrt(1 - abar)), each predictor step followed by
 * Langevin corrector steps whose size sets a signal-to-noise ratio. A model with both is sampled as a score model.
 */
@Component(service = Sampler.class)
public final class PredictorCorrectorSampler implements Sampler<PredictorCorrectorSampler.Config> {
    public static final String NAME = "predictor-corrector";

    /**
     * @param samples    how many (default 1000)
     * @param steps      predictor steps (default: the model's noise levels, or its T time steps; 1..100000)
     * @param corrector  Langevin corrector steps per predictor step (default 1; 0: predictor only)
     * @param snr        the corrector's signal-to-noise ratio (default 0.16, Song et al.'s for variance exploding)
     * @param clip       noise predictors: clip predictions of x_0 to the data's range (default true)
     * @param guidance   classifier-free guidance weight for conditional models (default 0)
     * @param label      conditional models: the class of every sample, -1 for none (default: the classes in turn)
     * @param batchSize  examples per network call (default 256)
     * @param trajectory samples whose trajectory is kept (default 0)
     * @param frames     snapshots per trajectory (default 10)
     */
    public record Config(Integer samples, Integer steps, Integer corrector, Double snr, Boolean clip, Double guidance,
                         Integer label, Integer batchSize, Integer trajectory, Integer frames) {
        public Config {
            samples = samples == null ? 1000 : samples;
            corrector = corrector == null ? 1 : corrector;
            snr = snr == null ? 0.16 : snr;
            clip = clip == null || clip;
            guidance = guidance == null ? 0 : guidance;
            batchSize = batchSize == null ? 256 : batchSize;
            trajectory = trajectory == null ? 0 : trajectory;
            frames = frames == null ? 10 : frames;
            Sampling.checkCommon(samples, batchSize, trajectory, frames, guidance, label);
            if (steps != null) {
                Sampling.range("steps", steps, 1, 100_000);
            }
            Sampling.range("corrector", corrector, 0, 1000);
            new PredictorCorrector.Settings(1, corrector, snr);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Predictor-corrector: reverse diffusion (score models) or ancestral (noise predictors) with Langevin"
                + " correction";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.anyOf(NoiseConditionalScore.class, NoisePredictor.class);
    }

    @Override
    public SampleResult sample(Model model, Config c, RunContext context) {
        Optional<NoiseConditionalScore> score = model.as(NoiseConditionalScore.class);
        Optional<NoisePredictor> noise = model.as(NoisePredictor.class);
        if (score.isEmpty() && noise.isEmpty()) {
            throw new IllegalArgumentException("predictor-corrector needs a model with " + requires().describe() + ", got "
                    + model.getClass().getSimpleName());
        }
        int n = c.samples();
        long[] shape = model.data().sampleShape();
        int[] labels = Sampling.labels(model, c.label(), n);
        Sampling.checkGuidance(labels, c.guidance());
        Denoiser net;
        int steps;
        DataScaling scaling;
        String process;
        if (score.isPresent()) {
            double[] sigmas = score.get().sigmas();
            Schedules.checkSigmas(sigmas);
            steps = c.steps() == null ? sigmas.length : c.steps();
            net = Denoiser.of(score.get(), shape, c.batchSize(), c.guidance(), context.allocator());
            scaling = score.get().scaling();
            process = "variance exploding";
        } else {
            int timesteps = noise.get().alphaBars().length;
            steps = c.steps() == null ? timesteps : c.steps();
            if (steps > timesteps) {
                throw new IllegalArgumentException("steps must be in 1.." + timesteps + " (the model's timesteps), was " + steps);
            }
            net = Denoiser.of(noise.get(), shape, c.batchSize(), c.guidance(), context.allocator());
            scaling = noise.get().scaling();
            process = "variance preserving";
        }
        PredictorCorrector.Settings settings = new PredictorCorrector.Settings(steps, c.corrector(), c.snr());
        Sampling.Trace trace = new Sampling.Trace(context, n, net.dimension(), steps, c.trajectory(), c.frames(), scaling);
        float[] y = score.isPresent()
                ? PredictorCorrector.sampleScore(net, score.get().sigmas(), n, labels, settings, null, context.rng(), trace)
                : PredictorCorrector.sampleNoise(net, noise.get().alphaBars(), n, labels, settings, c.clip(), null,
                        context.rng(), trace);
        if (c.trajectory() > 0) {
            try {
                trace.write(context.outputDirectory(), shape, context.allocator());
                TrajectoryPictures.write(trace, shape, "predictor-corrector, " + steps + " steps", context.outputDirectory());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the trajectory", e);
            }
        }
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("sampler", NAME);
        protocol.put("process", process);
        protocol.put("corrector_steps", c.corrector());
        protocol.put("snr", c.snr());
        protocol.put("guidance", c.guidance());
        return Sampling.result(NAME, y, n, shape, scaling, context.allocator(),
                Sampling.diagnostics(n, steps, (double) net.evaluations() / n, "pc corrector=" + c.corrector()
                        + " snr=" + c.snr(), protocol));
    }
}
