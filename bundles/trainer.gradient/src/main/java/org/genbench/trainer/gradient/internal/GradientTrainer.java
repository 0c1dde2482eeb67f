package org.genbench.trainer.gradient.internal;

import java.io.IOException;
import java.util.List;
import org.genbench.api.AdamSettings;
import org.genbench.api.Dataset;
import org.genbench.api.GradientTrainable;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.genbench.nn.optim.Schedule;
import org.osgi.service.component.annotations.Component;

/**
 * Mini-batch Adam (AdamW with weight decay) on whatever objective a {@link GradientTrainable} model minimizes: the
 * negative log-likelihood of a flow or an autoregressive model (maximum likelihood), a diffusion model's denoising
 * loss, a VAE's negative ELBO. Learning-rate schedules, gradient clipping, an optional linear warm-up of the
 * regularizer's weight, checkpoints and exact resume; the held-out curve is the exact log-likelihood for models with
 * {@code LogDensity}, else the bound for models with {@code LogDensityBound}.
 */
@Component(service = Trainer.class)
public final class GradientTrainer implements Trainer<GradientTrainer.Config> {
    public static final String NAME = "gradient";

    /**
     * @param steps              optimizer steps in all (default 5000, 1..10^9)
     * @param batchSize          examples per step (default 100, 1..10^6); epochs reshuffle the training split
     * @param learningRate       the peak learning rate (default 1e-3)
     * @param beta1              Adam's first-moment decay (default 0.9)
     * @param beta2              Adam's second-moment decay (default 0.999)
     * @param epsilon            Adam's epsilon (default 1e-8)
     * @param weightDecay        decoupled weight decay, AdamW (default 0: plain Adam)
     * @param clipNorm           largest global gradient norm (default 0: no clipping)
     * @param schedule           the learning rate over steps: {@code constant} (default), {@code warmup} (linear up
     *                           over lrWarmup steps), {@code cosine} (warm-up then cosine decay to 0 at the last step),
     *                           {@code linear} (warm-up then linear decay to 0)
     * @param lrWarmup           steps of the learning rate's linear warm-up (default 0)
     * @param regularizerWarmup  steps over which the regularizer's weight rises linearly to 1 (default 0: 1 from the
     *                           start; a VAE's KL annealing)
     * @param checkpointEvery    checkpoint every this many steps (default 500; 0: only when stopped early), and log
     *                           the held-out score there; checkpoints need a Persistent model
     * @param stepsPerInvocation at most this many steps per invocation of the run (default none): then the trainer
     *                           checkpoints and stops the run with a message to resume it
     * @param evalExamples       examples of each split scored before and after training (default 1000; 0 skips it)
     * @param pictures           reconstructions and a latent map for models with Autoencoding (default true)
     */
    public record Config(Integer steps, Integer batchSize, Double learningRate, Double beta1, Double beta2,
                         Double epsilon, Double weightDecay, Double clipNorm, String schedule, Integer lrWarmup,
                         Integer regularizerWarmup, Integer checkpointEvery, Integer stepsPerInvocation,
                         Integer evalExamples, Boolean pictures) {
        public Config {
            steps = steps == null ? 5000 : steps;
            batchSize = batchSize == null ? 100 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            beta1 = beta1 == null ? 0.9 : beta1;
            beta2 = beta2 == null ? 0.999 : beta2;
            epsilon = epsilon == null ? 1e-8 : epsilon;
            weightDecay = weightDecay == null ? 0.0 : weightDecay;
            clipNorm = clipNorm == null ? 0.0 : clipNorm;
            schedule = schedule == null ? "constant" : schedule;
            lrWarmup = lrWarmup == null ? 0 : lrWarmup;
            regularizerWarmup = regularizerWarmup == null ? 0 : regularizerWarmup;
            checkpointEvery = checkpointEvery == null ? 500 : checkpointEvery;
            evalExamples = evalExamples == null ? 1000 : evalExamples;
            pictures = pictures == null ? Boolean.TRUE : pictures;
            Limits.check(steps, batchSize, lrWarmup, "regularizerWarmup", regularizerWarmup, checkpointEvery,
                    stepsPerInvocation, evalExamples);
            if (!schedule.equals("constant") && lrWarmup >= steps) {
                throw new IllegalArgumentException("lrWarmup must be < steps for schedule '" + schedule + "', was " + lrWarmup);
            }
            // the optimizer's and the schedule's own checks, so that a bad value fails when the spec is composed
            new GradientTrainable.Step(new AdamSettings(learningRate, beta1, beta2, epsilon), 1.0, weightDecay, clipNorm);
            Schedule.named(schedule, learningRate, lrWarmup, steps);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Mini-batch Adam/AdamW on a model's own objective (maximum likelihood, denoising, ELBO): schedules,"
                + " clipping, checkpoints and exact resume";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(GradientTrainable.class);
    }

    @Override
    public List<Metric> train(Model model, Dataset data, Config c, RunContext context) throws IOException {
        return GradientLoop.run(model, data, new GradientLoop.Settings(NAME, c.steps(), c.batchSize(),
                new AdamSettings(c.learningRate(), c.beta1(), c.beta2(), c.epsilon()), c.weightDecay(), c.clipNorm(),
                Schedule.named(c.schedule(), c.learningRate(), c.lrWarmup(), c.steps()), c.regularizerWarmup(),
                c.checkpointEvery(), c.stepsPerInvocation(), c.evalExamples(), c.pictures()), context);
    }
}
