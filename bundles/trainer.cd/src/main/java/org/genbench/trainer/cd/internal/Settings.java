package org.genbench.trainer.cd.internal;

import java.util.List;
import org.genbench.api.ContrastiveTrainable;
import org.genbench.nn.optim.Schedule;

/**
 * The settings both trainers share, resolved and checked; each trainer's config record builds one, so the defaults
 * live here once.
 *
 * @param steps           updates per layer (a single RBM has one layer), at least 1
 * @param batchSize       training examples per update, at least 1; epochs reshuffle the training split
 * @param k               Gibbs sweeps per update (CD-k; PCD advances its chains by k), 1..1000
 * @param chains          PCD only: persistent chains, at least 1
 * @param learningRate    the step size, finite and &gt; 0
 * @param schedule        {@code constant}, {@code linear} (to 0 at the layer's last step) or {@code cosine}: nn's
 *                        schedules of those names
 * @param momentum        classical momentum after the warm-up, in [0, 1)
 * @param initialMomentum momentum during the first {@code momentumWarmup} updates of each layer (Hinton 2010: 0.5,
 *                        then 0.9), in [0, 1)
 * @param momentumWarmup  updates at the initial momentum, at least 0
 * @param weightDecay     L2 penalty on the couplings, finite and &gt;= 0
 * @param logEvery        log the training batch's reconstruction error and free-energy gap every this many
 *                        updates, at least 1
 * @param evalEvery       log held-out reconstruction error and pseudo-likelihood every this many updates (0: only at
 *                        the end)
 * @param evalExamples    examples of each split measured at evaluation, at least 1
 * @param checkpointEvery checkpoint every this many updates (0: only when stopped early)
 * @param pictures        draw the first layer's filters (image data)
 */
record Settings(int steps, int batchSize, int k, int chains, double learningRate, String schedule, double momentum,
                double initialMomentum, int momentumWarmup, double weightDecay, int logEvery, int evalEvery,
                int evalExamples, int checkpointEvery, boolean pictures) {
    static final List<String> SCHEDULES = List.of("constant", "linear", "cosine");

    Settings {
        atLeast("steps", steps, 1);
        atLeast("batchSize", batchSize, 1);
        if (k < 1 || k > 1000) {
            throw new IllegalArgumentException("k must be in 1..1000, was " + k);
        }
        atLeast("chains", chains, 1);
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("schedule must be one of " + SCHEDULES + ", was '" + schedule + "'");
        }
        atLeast("momentumWarmup", momentumWarmup, 0);
        atLeast("logEvery", logEvery, 1);
        atLeast("evalEvery", evalEvery, 0);
        atLeast("evalExamples", evalExamples, 1);
        atLeast("checkpointEvery", checkpointEvery, 0);
        // The update's own checks name the fields.
        new ContrastiveTrainable.Step(learningRate, momentum, weightDecay);
        if (!(initialMomentum >= 0 && initialMomentum < 1)) {
            throw new IllegalArgumentException("initialMomentum must be in [0, 1), was " + initialMomentum);
        }
    }

    /** The update of step {@code s} (0-based) of a layer: the rate from nn's schedule, the momentum after warm-up. */
    ContrastiveTrainable.Step step(long s) {
        return new ContrastiveTrainable.Step(Schedule.named(schedule, learningRate, 0, steps).at(s),
                s < momentumWarmup ? initialMomentum : momentum, weightDecay);
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
    }

    static int orDefault(Integer v, int d) {
        return v == null ? d : v;
    }

    static double orDefault(Double v, double d) {
        return v == null ? d : v;
    }
}
