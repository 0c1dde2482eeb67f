package org.genbench.diffusion;

/**
 * Watches a reverse process: called after each step with the current state and the current prediction of the clean
 * sample, both in the model's space ({@code n * dimension} values, example-major). The arrays are live: copy what you
 * keep. Samplers report progress, keep trajectory frames, and stop a cancelled run by throwing.
 */
@FunctionalInterface
public interface Observer {
    /** After step {@code done} of {@code total} (1-based), and once with done = 0 for the initial state. */
    void step(int done, int total, float[] x, float[] x0);

    /** An observer that does nothing. */
    static Observer none() {
        return (done, total, x, x0) -> { };
    }
}
