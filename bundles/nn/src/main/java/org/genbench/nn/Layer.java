package org.genbench.nn;

/** A function of one array, the unit a {@link Sequential} chains: most modules, and parameterless lambdas. */
@FunctionalInterface
public interface Layer {
    NdArray forward(NdArray x);
}
