package org.genbench.stats;

import java.util.List;

/**
 * How annealed importance sampling runs: {@code distributions} intermediate distributions (inverse temperatures
 * 0 = b_0 &lt; b_1 &lt; ... &lt; b_K = 1), {@code chains} independent chains (importance samples), and the schedule
 * of the b_t: {@code linear}, or {@code sigmoid} (Grosse, Maddison and Salakhutdinov 2013: dense near both ends, where
 * the weights change most).
 */
public record AisSettings(int distributions, int chains, String schedule) {
    public static final List<String> SCHEDULES = List.of("sigmoid", "linear");

    public AisSettings {
        if (distributions < 1 || distributions > 10_000_000) {
            throw new IllegalArgumentException("distributions must be in 1..10000000, was " + distributions);
        }
        if (chains < 2) {
            throw new IllegalArgumentException("chains must be >= 2 (a standard error needs two), was " + chains);
        }
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("schedule must be one of " + SCHEDULES + ", was '" + schedule + "'");
        }
    }

    /** The inverse temperature b_t, t = 0..distributions; b_0 = 0 and b_K = 1 exactly. */
    public double beta(int t) {
        int k = distributions;
        if (t <= 0) {
            return 0;
        }
        if (t >= k) {
            return 1;
        }
        if (schedule.equals("linear")) {
            return (double) t / k;
        }
        double delta = 4;
        double lo = sigmoid(-delta);
        double hi = sigmoid(delta);
        return (sigmoid(delta * (2.0 * t / k - 1)) - lo) / (hi - lo);
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
