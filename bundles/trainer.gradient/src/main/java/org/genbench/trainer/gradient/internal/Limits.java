package org.genbench.trainer.gradient.internal;

/** The range checks both trainers' settings share. */
final class Limits {
    static final int MAX_STEPS = 1_000_000_000;
    static final int MAX_BATCH = 1_000_000;

    private Limits() {
    }

    /** {@code warmupName} is the regularizer warm-up's field name in the caller's settings. */
    static void check(int steps, int batchSize, int lrWarmup, String warmupName, int regularizerWarmup,
                      int checkpointEvery, Integer stepsPerInvocation, int evalExamples) {
        if (steps < 1 || steps > MAX_STEPS) {
            throw new IllegalArgumentException("steps must be in 1.." + MAX_STEPS + ", was " + steps);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException("batchSize must be in 1.." + MAX_BATCH + ", was " + batchSize);
        }
        if (lrWarmup < 0) {
            throw new IllegalArgumentException("lrWarmup must be >= 0, was " + lrWarmup);
        }
        if (regularizerWarmup < 0) {
            throw new IllegalArgumentException(warmupName + " must be >= 0, was " + regularizerWarmup);
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpointEvery must be >= 0, was " + checkpointEvery);
        }
        if (stepsPerInvocation != null && stepsPerInvocation < 1) {
            throw new IllegalArgumentException("stepsPerInvocation must be >= 1 or absent, was " + stepsPerInvocation);
        }
        if (evalExamples < 0 || evalExamples > MAX_BATCH) {
            throw new IllegalArgumentException("evalExamples must be in 0.." + MAX_BATCH + ", was " + evalExamples);
        }
    }
}
