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
import org.genbench.api.Rng;
import org.genbench.api.RunContext;
import org.genbench.api.Trainer;
import org.genbench.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Expectation-maximization for any {@link EmFittable} model: initialize on the training split, then E and M steps
 * until the mean log-likelihood stops improving, with scikit-learn's stopping rule (|change| &lt; tol); with
 * {@code nInit} &gt; 1, that many initializations, keeping the one with the best final mean log-likelihood, as
 * scikit-learn's {@code n_init}.
 */
@Component(service = Trainer.class)
public final class EmTrainer implements Trainer<EmTrainer.Config> {
    public static final String NAME = "em";
    static final String TRAIN = "train";

    /**
     * @param maxIterations   most EM steps per initialization (default 100, 1 to {@value #MAX_ITERATIONS})
     * @param tolerance       stop once the mean log-likelihood changes by less than this between steps (default
     *                        1e-6, 0 to 1e6 nats; 0 runs all maxIterations)
     * @param checkpointEvery save a checkpoint every this many steps when the model is {@link Persistent} (default
     *                        10, 0 to {@value #MAX_ITERATIONS}; 0 never), so a killed run resumes where it was
     * @param nInit           initializations (default 1, 1 to {@value #MAX_INIT}): the first draws from the trainer's
     *                        stream, the i-th from its split {@code restart/i}; the one whose last mean log-likelihood
     *                        is highest is kept (the first of equals), as scikit-learn's {@code n_init}
     */
    public record Config(Integer maxIterations, Double tolerance, Integer checkpointEvery, Integer nInit) {
        /**
         * scikit-learn stops at 100 by default. An EM step on the quickstart's 4000 points and 8 components takes
         * about a millisecond and grows with examples x components x dimension^2, so 10^5 steps are minutes on toy
         * data and hours on real data; with tolerance 0 they all run.
         */
        public static final int MAX_ITERATIONS = 100_000;
        /** Each initialization repeats the whole fit; scikit-learn's default is 1. */
        public static final int MAX_INIT = 1_000;

        public Config {
            maxIterations = maxIterations == null ? 100 : maxIterations;
            tolerance = tolerance == null ? 1e-6 : tolerance;
            checkpointEvery = checkpointEvery == null ? 10 : checkpointEvery;
            nInit = nInit == null ? 1 : nInit;
            if (checkpointEvery < 0 || checkpointEvery > MAX_ITERATIONS) {
                throw new IllegalArgumentException("checkpointEvery must be in 0.." + MAX_ITERATIONS + ", was " + checkpointEvery);
            }
            if (maxIterations < 1 || maxIterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("maxIterations must be in 1.." + MAX_ITERATIONS + ", was " + maxIterations);
            }
            if (!(tolerance >= 0 && tolerance <= 1e6)) {
                throw new IllegalArgumentException("tolerance must be in 0..1e6, was " + tolerance);
            }
            if (nInit < 1 || nInit > MAX_INIT) {
                throw new IllegalArgumentException("nInit must be in 1.." + MAX_INIT + ", was " + nInit);
            }
        }

        /** One initialization. */
        public Config(Integer maxIterations, Double tolerance, Integer checkpointEvery) {
            this(maxIterations, tolerance, checkpointEvery, null);
        }

        /** All defaults. */
        public static Config defaults() {
            return new Config(null, null, null, null);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Expectation-maximization; stops when the mean training log-likelihood changes by less than tolerance;"
                + " nInit initializations, the best kept";
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
     * Returns {@code train_loglik}, the mean log-likelihood of the training split as the last E step of the kept
     * initialization measured it (the parameters before the last M step, scikit-learn's {@code lower_bound_}; at
     * convergence the final parameters improve on it by about the last change, under tolerance), {@code iterations}
     * and {@code converged} (1 or 0) of that initialization, and with nInit &gt; 1 {@code best_init} (its index from
     * 0). A cancelled run returns what it reached with {@code converged} 0 (and no {@code train_loglik} if it was
     * cancelled before the first step).
     *
     * <p>Steps are numbered across initializations in the log and the checkpoints. A checkpoint holds the current
     * initialization's parameters; the best earlier one is known by its index and step count, and a resumed run
     * recomputes it (EM from the same stream is deterministic) rather than storing a second model.
     */
    @Override
    public List<Metric> train(Model model, Dataset data, Config config, RunContext context) throws IOException {
        EmFittable em = model.as(EmFittable.class).orElseThrow(() -> new IllegalArgumentException(
                "the em trainer needs a model with EmFittable; " + model.getClass().getSimpleName() + " has none"));
        Tensor x = data.split(TRAIN).x();
        Optional<Persistent> persistent = model.as(Persistent.class);

        int max = config.maxIterations();
        int restarts = config.nInit();
        long total = (long) max * restarts;
        Progress p = new Progress();
        Best best = new Best();
        Optional<Checkpoints.Restored> restored = persistent.isPresent() ? context.checkpoints().latest() : Optional.empty();
        if (restored.isPresent()) {
            // EM draws randomness only to initialize, so the saved parameters and the last two log-likelihoods are
            // the whole state of this initialization: the resumed run takes exactly the steps the uninterrupted one
            // would have.
            Map<String, Object> state = restored.get().trainerState();
            p.step = restored.get().step();
            p.restart = intOf(state, "restart", 0);
            p.iterations = intOf(state, "iterations", Math.toIntExact(p.step));
            p.previous = ((Number) state.get("previous")).doubleValue();
            p.loglik = ((Number) state.get("loglik")).doubleValue();
            int bestRestart = intOf(state, "bestRestart", -1);
            if (bestRestart >= 0) {
                best.replay(em, x, streamFor(bestRestart, context), bestRestart, intOf(state, "bestIterations", 0),
                        ((Number) state.get("best")).doubleValue(), intOf(state, "bestConverged", 0) == 1);
            }
            restored.get().restore(persistent.get());
        } else {
            em.initialize(x, streamFor(0, context));
        }
        context.progress(p.step, total);
        while (!context.isCancelled()) {
            boolean converged = false;
            while (p.iterations < max && !context.isCancelled()) {
                p.loglik = em.emStep(x);
                p.iterations++;
                p.step++;
                if (Double.isNaN(p.loglik)) {
                    throw new IllegalStateException("EM diverged: the mean log-likelihood is NaN at iteration "
                            + p.iterations + (restarts > 1 ? " of initialization " + p.restart : ""));
                }
                context.log(p.step, Map.of("train_loglik", p.loglik));
                context.progress(p.step, total);
                if (Math.abs(p.loglik - p.previous) < config.tolerance()) {
                    converged = true;
                    break;
                }
                p.previous = p.loglik;
                if (persistent.isPresent() && config.checkpointEvery() > 0 && p.step % config.checkpointEvery() == 0) {
                    Map<String, Object> state = new java.util.LinkedHashMap<>();
                    state.put("previous", p.previous);
                    state.put("loglik", p.loglik);
                    state.put("restart", p.restart);
                    state.put("iterations", p.iterations);
                    if (best.restart >= 0) {
                        state.put("best", best.loglik);
                        state.put("bestRestart", best.restart);
                        state.put("bestIterations", best.iterations);
                        state.put("bestConverged", best.converged ? 1 : 0);
                    }
                    context.checkpoints().save(p.step, persistent.get(), state);
                }
            }
            if (p.iterations > 0 && (best.restart < 0 || p.loglik > best.loglik)) {
                best.keep(em, p.restart, p.iterations, p.loglik, converged && !context.isCancelled());
            }
            if (context.isCancelled() || p.restart + 1 >= restarts) {
                break;
            }
            p.restart++;
            p.iterations = 0;
            p.previous = Double.NEGATIVE_INFINITY;
            p.loglik = Double.NaN;
            em.initialize(x, streamFor(p.restart, context));
        }
        if (best.restart >= 0 && best.restart != p.restart) {
            em.restore(best.snapshot);
        }
        List<Metric> metrics = new ArrayList<>();
        if (best.restart >= 0) {
            Map<String, Object> protocol = Map.of("split", TRAIN, "measured", "before the last M step",
                    "tolerance", config.tolerance(), "maxIterations", max, "nInit", restarts);
            metrics.add(new Metric("train_loglik", best.loglik, "exact", protocol));
        }
        metrics.add(Metric.of("iterations", best.restart >= 0 ? best.iterations : 0));
        metrics.add(Metric.of("converged", best.converged ? 1 : 0));
        if (restarts > 1 && best.restart >= 0) {
            metrics.add(Metric.of("best_init", best.restart));
        }
        return List.copyOf(metrics);
    }

    /** The first initialization draws from the trainer's own stream, the i-th from its split {@code restart/i}. */
    static Rng streamFor(int restart, RunContext context) {
        return restart == 0 ? context.rng() : context.rng().split("restart/" + restart);
    }

    private static int intOf(Map<String, Object> state, String key, int otherwise) {
        Object v = state.get(key);
        return v instanceof Number n ? n.intValue() : otherwise;
    }

    /** Where the current initialization is. */
    private static final class Progress {
        long step;
        int restart;
        int iterations;
        double previous = Double.NEGATIVE_INFINITY;
        double loglik = Double.NaN;
    }

    /** The best initialization so far and its parameters. */
    private static final class Best {
        int restart = -1;
        int iterations;
        double loglik = Double.NEGATIVE_INFINITY;
        boolean converged;
        EmFittable.Snapshot snapshot;

        void keep(EmFittable em, int restart, int iterations, double loglik, boolean converged) {
            this.restart = restart;
            this.iterations = iterations;
            this.loglik = loglik;
            this.converged = converged;
            this.snapshot = em.snapshot();
        }

        /** Recomputes an earlier initialization's parameters after a resume, and checks it ends where it did. */
        void replay(EmFittable em, Tensor x, Rng rng, int restart, int iterations, double loglik, boolean converged) {
            em.initialize(x, rng);
            double last = Double.NaN;
            for (int i = 0; i < iterations; i++) {
                last = em.emStep(x);
            }
            if (Double.compare(last, loglik) != 0) {
                throw new IllegalStateException("resuming: initialization " + restart + " replayed to mean "
                        + "log-likelihood " + last + ", but the checkpoint recorded " + loglik
                        + "; the data or the model changed since the run started");
            }
            keep(em, restart, iterations, loglik, converged);
        }
    }
}
