package org.genbench.trainer.gradient.internal;

import java.io.IOException;
import java.util.List;
import org.genbench.api.AdamSettings;
import org.genbench.api.Dataset;
import org.genbench.api.GradientTrainable;
import org.genbench.api.LogDensityBound;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.genbench.nn.optim.Schedule;
import org.osgi.service.component.annotations.Component;

/**
 * The gradient loop with a VAE's defaults: mini-batch Adam on a model's variational bound (a VAE's negative ELBO),
 * with a linear KL warm-up (Bowman et al. 2016; Sonderby et al. 2016): the KL term's weight rises from 1/warmupSteps
 * to 1 over the first warmupSteps steps. The same loop as {@link GradientTrainer}; kept as its own component so that
 * a spec says what it trains and the composer can insist on a bound.
 */
@Component(service = Trainer.class)
public final class VariationalTrainer implements Trainer<VariationalTrainer.Config> {
    public static final String NAME = "variational";

    /**
     * @param steps              optimizer steps in all (default 5000)
     * @param batchSize          examples per step (default 100); epochs reshuffle the training split
     * @param learningRate       Adam's step size (default 1e-3)
     * @param beta1              Adam's first-moment decay (default 0.9)
     * @param beta2              Adam's second-moment decay (default 0.999)
     * @param epsilon            Adam's epsilon (default 1e-8)
     * @param warmupSteps        steps over which the KL weight rises linearly to 1 (default 500; 0 turns it off)
     * @param weightDecay        decoupled weight decay, AdamW (default 0)
     * @param clipNorm           largest global gradient norm (default 0: no clipping)
     * @param checkpointEvery    checkpoint every this many steps (default 500; 0 only when stopped early), and log
     *                           the test bound there; checkpoints need a Persistent model
     * @param stepsPerInvocation at most this many steps per invocation of the run (default none): then the trainer
     *                           checkpoints and fails the run with a message to resume it, as a preemptible job
     *                           slot would; {@code genbench resume RUN} continues it
     * @param evalExamples       examples of each split on which the bound is measured before and after training
     *                           (default 1000; 0 skips it); the same examples and noise both times
     * @param pictures           write reconstructions and a latent map of image data (default true), for models
     *                           with Autoencoding
     */
    public record Config(Integer steps, Integer batchSize, Double learningRate, Double beta1, Double beta2,
                         Double epsilon, Integer warmupSteps, Double weightDecay, Double clipNorm,
                         Integer checkpointEvery, Integer stepsPerInvocation, Integer evalExamples, Boolean pictures) {
        public Config {
            steps = steps == null ? 5000 : steps;
            batchSize = batchSize == null ? 100 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            beta1 = beta1 == null ? 0.9 : beta1;
            beta2 = beta2 == null ? 0.999 : beta2;
            epsilon = epsilon == null ? 1e-8 : epsilon;
            warmupSteps = warmupSteps == null ? 500 : warmupSteps;
            weightDecay = weightDecay == null ? 0.0 : weightDecay;
            clipNorm = clipNorm == null ? 0.0 : clipNorm;
            checkpointEvery = checkpointEvery == null ? 500 : checkpointEvery;
            evalExamples = evalExamples == null ? 1000 : evalExamples;
            pictures = pictures == null ? Boolean.TRUE : pictures;
            Limits.check(steps, batchSize, 0, "warmupSteps", warmupSteps, checkpointEvery, stepsPerInvocation, evalExamples);
            // The optimizer's own checks, so that a bad value fails when the spec is composed.
            new GradientTrainable.Step(new AdamSettings(learningRate, beta1, beta2, epsilon), 1.0, weightDecay, clipNorm);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Mini-batch Adam on the ELBO with KL warm-up; checkpoints and resumes exactly";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(GradientTrainable.class, LogDensityBound.class);
    }

    /**
     * Returns {@code test_bound_initial} and {@code test_bound} (the model's bound on the first evalExamples test
     * examples before and after training, same noise), {@code train_bound} (the same on training examples, after),
     * and {@code steps}.
     */
    @Override
    public List<Metric> train(Model model, Dataset data, Config c, RunContext context) throws IOException {
        return GradientLoop.run(model, data, new GradientLoop.Settings(NAME, c.steps(), c.batchSize(),
                new AdamSettings(c.learningRate(), c.beta1(), c.beta2(), c.epsilon()), c.weightDecay(), c.clipNorm(),
                Schedule.constant(c.learningRate()), c.warmupSteps(), c.checkpointEvery(), c.stepsPerInvocation(),
                c.evalExamples(), c.pictures()), context);
    }
}
