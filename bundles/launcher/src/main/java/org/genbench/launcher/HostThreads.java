package org.genbench.launcher;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * How many threads the host's numerical libraries use: one decision, applied to ND4J's own thread pool, its OpenMP
 * runtime and OpenBLAS, and published as the system property {@code genbench.threads} that bundles read through
 * {@code org.genbench.api.Threads}. The default is the cores available to this process (its CPU affinity and
 * container quota); {@code --threads N} or the environment's {@code GENBENCH_THREADS} (or {@code OMP_NUM_THREADS})
 * asks for fewer. Never more threads than cores: on a busy or small machine oversubscribed OpenMP threads spin and
 * wait for each other and a run slows down several times over.
 */
final class HostThreads {
    static final String PROPERTY = "genbench.threads";

    private HostThreads() {
    }

    /** The resolved count, and a note when the request was lowered to the cores available. */
    record Decision(int threads, String note) {
    }

    /**
     * @param requested from {@code --threads}, or null
     * @throws IllegalArgumentException naming the setting, for a value that is not an integer >= 1
     */
    static Decision decide(String requested, int cores) {
        String source = "--threads";
        String value = requested;
        if (value == null) {
            for (String[] candidate : new String[][] {{"-Dgenbench.threads", System.getProperty(PROPERTY)},
                    {"GENBENCH_THREADS", System.getenv("GENBENCH_THREADS")}, {"OMP_NUM_THREADS", System.getenv("OMP_NUM_THREADS")}}) {
                if (candidate[1] != null && !candidate[1].isBlank()) {
                    source = candidate[0];
                    value = candidate[1];
                    break;
                }
            }
        }
        if (value == null) {
            return new Decision(cores, null);
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1) {
            throw new IllegalArgumentException(source + " must be an integer from 1 to " + cores + " (the cores available),"
                    + " was '" + value + "'");
        }
        if (n > cores) {
            return new Decision(cores, source + " " + n + " is more than the " + cores + " cores available; using " + cores);
        }
        return new Decision(n, null);
    }

    /** Publishes the count and applies it to ND4J, OpenMP and OpenBLAS (their backend must be loaded). */
    static void apply(int threads) {
        System.setProperty(PROPERTY, Integer.toString(threads));
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }
}
