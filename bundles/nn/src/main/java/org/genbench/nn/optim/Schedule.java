package org.genbench.nn.optim;

/**
 * A learning rate by step: {@code at(k)} is the rate of step k, counted from 0, of the training run. Warm-ups start
 * at lr / warmup (never 0) and decays end above 0 on the last step, as the rate of an actual step must be positive.
 * Built from a few named shapes, each validating its arguments.
 */
@FunctionalInterface
public interface Schedule {
    double at(long step);

    static Schedule constant(double lr) {
        check(lr);
        return step -> lr;
    }

    /** Linear from lr / warmup up to lr over {@code warmup} steps, then constant. */
    static Schedule linearWarmup(double lr, long warmup) {
        check(lr);
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup must be >= 0, was " + warmup);
        }
        return step -> step >= warmup ? lr : lr * (step + 1) / warmup;
    }

    /** Linear warm-up, then cosine decay from lr to {@code min} at {@code total} steps (and min after). */
    static Schedule cosine(double lr, long warmup, long total, double min) {
        check(lr);
        if (total < 1 || warmup < 0 || warmup >= total) {
            throw new IllegalArgumentException("cosine schedule needs 0 <= warmup < total, got warmup " + warmup + ", total " + total);
        }
        if (!(min >= 0 && min <= lr)) {
            throw new IllegalArgumentException("minimum rate must be in [0, lr], was " + min);
        }
        return step -> {
            if (step < warmup) {
                return lr * (step + 1) / warmup;
            }
            if (step >= total) {
                return min;
            }
            double progress = (double) (step - warmup) / (total - warmup);
            return min + 0.5 * (lr - min) * (1 + Math.cos(Math.PI * progress));
        };
    }

    /** lr times gamma^(floor(step / every)). */
    static Schedule stepDecay(double lr, long every, double gamma) {
        check(lr);
        if (every < 1 || !(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException("step decay needs every >= 1 and gamma in (0, 1], got " + every + ", " + gamma);
        }
        return step -> lr * Math.pow(gamma, step / every);
    }

    /**
     * By name, as trainer settings give it: {@code constant}, {@code warmup} (linear warm-up over {@code warmup}),
     * {@code cosine} (warm-up then cosine to 0 at {@code total}), {@code linear} (linear decay to 0 at {@code total}).
     */
    static Schedule named(String name, double lr, long warmup, long total) {
        return switch (name) {
            case "constant" -> constant(lr);
            case "warmup" -> linearWarmup(lr, warmup);
            case "cosine" -> cosine(lr, warmup, total, 0);
            case "linear" -> {
                check(lr);
                if (total < 1 || warmup < 0 || warmup >= total) {
                    throw new IllegalArgumentException("linear schedule needs 0 <= warmup < total, got warmup " + warmup
                            + ", total " + total);
                }
                yield step -> step < warmup ? lr * (step + 1) / warmup
                        : lr * (double) Math.max(0, total - step) / (total - warmup);
            }
            default -> throw new IllegalArgumentException("schedule must be constant, warmup, cosine or linear, was '" + name + "'");
        };
    }

    private static void check(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, was " + lr);
        }
    }
}
