package org.genbench.api;

/**
 * The number of threads a component's numerical work may use: the host's one setting, so that ND4J, OpenBLAS and
 * any kernel of a bundle agree and a busy machine is not oversubscribed. The launcher decides it (cores available
 * to the process unless {@code --threads} or {@code GENBENCH_THREADS} says fewer) and publishes it as the system
 * property {@value #PROPERTY}; outside a host (a unit test, a plain program) the environment's
 * {@code GENBENCH_THREADS} or {@code OMP_NUM_THREADS} is used, else the available cores. Never more than the cores.
 */
public final class Threads {
    public static final String PROPERTY = "genbench.threads";

    private Threads() {
    }

    /** At least 1, at most {@link Runtime#availableProcessors()}. */
    public static int count() {
        int cores = Runtime.getRuntime().availableProcessors();
        for (String value : new String[] {System.getProperty(PROPERTY), System.getenv("GENBENCH_THREADS"),
                System.getenv("OMP_NUM_THREADS")}) {
            if (value != null && !value.isBlank()) {
                try {
                    return Math.max(1, Math.min(cores, Integer.parseInt(value.trim())));
                } catch (NumberFormatException e) {
                    // not a number: the launcher refuses such a setting with a message; here fall through
                }
            }
        }
        return cores;
    }
}
