package org.genbench.nn.internal;

import org.genbench.nn.NdArray;

/**
 * Fault injection for the gradient-check tests: while {@link #perturbed} names an op, its incoming gradient is scaled
 * by 1.001 before its backward runs, which a gradient check must notice. Never set outside tests.
 */
public final class Debug {
    public static volatile String perturbed;

    private Debug() {
    }

    public static void perturb(NdArray g) {
        for (int i = 0; i < g.size(); i++) {
            g.setFlat(i, g.getFlat(i) * 1.001);
        }
    }
}
