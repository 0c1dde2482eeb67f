package org.genbench.trainer.em.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.genbench.api.Checkpoints;
import org.genbench.api.Dataset;
import org.genbench.api.EmFittable;
import org.genbench.api.Metric;
import org.genbench.api.Model;
import org.genbench.api.Persistent;
import org.genbench.api.Requirement;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Expectation-maximization for any {@link EmFittable} model: initialize on the training split, then E and M steps
 * until the mean log-likelihood stops improving, with scikit-learn's stopping rule (|change| &lt; tol).
 */
@Component(service = Trainer.class)
public final class EmTrainer implements Trainer<EmTrainer.Config> {
    public static final String NAME = "em";
    static final String TRAIN = "train";

    /**
     * @param maxIterations most EM steps (default 100, 1 to {@value #MAX_ITERATIONS})
     * @param tolerance     stop once the mean log-likelihood changes by less than this between steps (default 1e-6,
     *                      0 to 1e6 nats; 0 runs all maxIterations)
     * @param checkpointEvery save a checkpoint every this many steps when the model is {@link Persistent} (default
     *                      10, 0 to {@value #MAX_ITERATIONS}; 0 never), so a killed run resumes where it was
     */
    public record Config(Integer maxIterations, Double tolerance, Integer checkpointEvery) {
        /**
         * scikit-learn stops at 100 by default. An EM step on the quickstart's 4000 points and 8 components takes
         * about a millisecond and grows with examples x components x dimension^2, so 10^5 steps are minutes on toy
         * data and hours on real data; with tolerance 0 they all run.
         */
        public static final int MAX_ITERATIONS = 100_000;

        public Config {
            maxIterations = maxIterations == null ? 100 : maxIterations;
            tolerance = tolerance == null ? 1e-6 : tolerance;
            checkpointEvery = checkpointEvery == null ? 10 : checkpointEvery;
            if (checkpointEvery < 0 || checkpointEvery > MAX_ITERATIONS) {
                throw new IllegalArgumentException("checkpointEvery must be in 0.." + MAX_ITERATIONS + ", was " + checkpointEvery);
            }
            if (maxIterations < 1 || maxIterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("maxIterations must be in 1.." + MAX_ITERATIONS + ", was " + maxIterations);
            }
            if (!(tolerance >= 0 && tolerance <= 1e6)) {
                throw new IllegalArgumentException("tolerance must be in 0..1e6, was " + tolerance);
            }
        }

        /** All defaults. */
        public static Config defaults() {
            return new Config(null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Expectation-maximization; stops when the mean training log-likelihood changes by less than tolerance";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public Requirement requires() {
        return Requirement.allOf(EmFittable.class);
    }

    /**
     * Returns {@code train_loglik}, the mean log-likelihood of the training split as the last E step measured it (the
     * parameters before the last M step, scikit-learn's {@code lower_bound_}; at convergence the final parameters
     * improve on it by about the last change, under tolerance), {@code iterations} and {@code converged} (1 or 0). A cancelled run returns
     * what it reached with {@code converged} 0 (and no {@code train_loglik} if it was cancelled before the first
     * step).
     */
    @Override
    public List<Metric> train(Model model, Dataset data, Config config, RunContext context) throws IOException {
        EmFittable em = model.as(EmFittable.class).orElseThrow(() -> new IllegalArgumentException(
                "the em trainer needs a model with EmFittable; " + model.getClass().getSimpleName() + " has none"));
        Tensor x = data.split(TRAIN).x();
        Optional<Persistent> persistent = model.as(Persistent.class);

        int max = config.maxIterations();
        double previous = Double.NEGATIVE_INFINITY;
        double loglik = Double.NaN;
        int iterations = 0;
        boolean converged = false;
        Optional<Checkpoints.Restored> restored = persistent.isPresent() ? context.checkpoints().latest() : Optional.empty();
        if (restored.isPresent()) {
            // EM draws randomness only to initialize, so the saved parameters and the last two log-likelihoods are
            // the whole state: the resumed run takes exactly the steps the uninterrupted one would have.
            restored.get().restore(persistent.get());
            iterations = Math.toIntExact(restored.get().step());
            previous = ((Number) restored.get().trainerState().get("previous")).doubleValue();
            loglik = ((Number) restored.get().trainerState().get("loglik")).doubleValue();
        } else {
            em.initialize(x, context.rng());
        }
        context.progress(iterations, max);
        while (iterations < max && !context.isCancelled()) {
            loglik = em.emStep(x);
            iterations++;
            if (Double.isNaN(loglik)) {
                throw new IllegalStateException("EM diverged: the mean log-likelihood is NaN at iteration " + iterations);
            }
            context.log(iterations, Map.of("train_loglik", loglik));
            context.progress(iterations, max);
            if (Math.abs(loglik - previous) < config.tolerance()) {
                converged = true;
                break;
            }
            previous = loglik;
            if (persistent.isPresent() && config.checkpointEvery() > 0 && iterations % config.checkpointEvery() == 0) {
                context.checkpoints().save(iterations, persistent.get(), Map.of("previous", previous, "loglik", loglik));
            }
        }
        List<Metric> metrics = new ArrayList<>();
        if (iterations > 0) {
            Map<String, Object> protocol = Map.of("split", TRAIN, "measured", "before the last M step",
                    "tolerance", config.tolerance(), "maxIterations", max);
            metrics.add(new Metric("train_loglik", loglik, "exact", protocol));
        }
        metrics.add(Metric.of("iterations", iterations));
        metrics.add(Metric.of("converged", converged ? 1 : 0));
        return List.copyOf(metrics);
    }
}
