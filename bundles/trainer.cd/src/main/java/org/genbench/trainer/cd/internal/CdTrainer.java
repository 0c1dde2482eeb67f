package org.genbench.trainer.cd.internal;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.genbench.api.BlockGibbs;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.api.Dataset;
import org.genbench.api.LayerwiseTrainable;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.osgi.service.component.annotations.Component;

/**
 * Contrastive divergence, CD-k (Hinton 2002): the negative phase from Gibbs chains started at the batch and run k
 * sweeps. For a stack ({@link LayerwiseTrainable}, a DBN) each layer in turn, bottom-up.
 */
@Component(service = Trainer.class)
public final class CdTrainer implements Trainer<CdTrainer.Config> {
    public static final String NAME = "cd";

    /**
     * Settings as described in {@link Settings}; defaults: steps 5000, batchSize 100, k 1, learningRate 0.01,
     * schedule constant, momentum 0.9 after 500 updates at initialMomentum 0.5, weightDecay 1e-4, logEvery 50,
     * evalEvery 1000, evalExamples 100, checkpointEvery 1000, pictures true.
     */
    public record Config(Integer steps, Integer batchSize, Integer k, Double learningRate, String schedule,
                         Double momentum, Double initialMomentum, Integer momentumWarmup, Double weightDecay,
                         Integer logEvery, Integer evalEvery, Integer evalExamples, Integer checkpointEvery,
                         Boolean pictures) {
        public Config {
            steps = Settings.orDefault(steps, 5000);
            batchSize = Settings.orDefault(batchSize, 100);
            k = Settings.orDefault(k, 1);
            learningRate = Settings.orDefault(learningRate, 0.01);
            schedule = schedule == null ? "constant" : schedule;
            momentum = Settings.orDefault(momentum, 0.9);
            initialMomentum = Settings.orDefault(initialMomentum, 0.5);
            momentumWarmup = Settings.orDefault(momentumWarmup, 500);
            weightDecay = Settings.orDefault(weightDecay, 1e-4);
            logEvery = Settings.orDefault(logEvery, 50);
            evalEvery = Settings.orDefault(evalEvery, 1000);
            evalExamples = Settings.orDefault(evalExamples, 100);
            checkpointEvery = Settings.orDefault(checkpointEvery, 1000);
            pictures = pictures == null ? Boolean.TRUE : pictures;
            settings(steps, batchSize, k, learningRate, schedule, momentum, initialMomentum, momentumWarmup,
                    weightDecay, logEvery, evalEvery, evalExamples, checkpointEvery, pictures);
        }

        public static Config defaults() {
            return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        private static Settings settings(int steps, int batchSize, int k, double learningRate, String schedule,
                double momentum, double initialMomentum, int momentumWarmup, double weightDecay, int logEvery,
                int evalEvery, int evalExamples, int checkpointEvery, boolean pictures) {
            return new Settings(steps, batchSize, k, batchSize, learningRate, schedule, momentum, initialMomentum,
                    momentumWarmup, weightDecay, logEvery, evalEvery, evalExamples, checkpointEvery, pictures);
        }

        Settings settings() {
            return settings(steps, batchSize, k, learningRate, schedule, momentum, initialMomentum, momentumWarmup,
                    weightDecay, logEvery, evalEvery, evalExamples, checkpointEvery, pictures);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Contrastive divergence (CD-k) with momentum, weight decay and a learning-rate schedule; greedy"
                + " layer-wise for stacks";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return requirement();
    }

    static Requirement requirement() {
        return new Requirement(List.of(Set.of(ContrastiveTrainable.class, BlockGibbs.class),
                Set.of(LayerwiseTrainable.class)));
    }

    @Override
    public List<Metric> train(Model model, Dataset data, Config config, RunContext context) throws IOException {
        return new ContrastiveDivergence(NAME + "-" + config.k(), config.settings(), false).train(model, data, context);
    }
}
