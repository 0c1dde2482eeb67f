package org.genbench.api;

import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An exact model of discrete data as a product of one-dimensional conditionals, p(x) = prod_i p(x_{o(i)} |
 * x_{o(0)}, ..., x_{o(i-1)}), each value one of {@link #levels()} integers, with every conditional available in one
 * pass given x: what an entropy coder needs to turn -log2 p(x) into bytes (MADE, PixelCNN, a mixture of independent
 * categoricals, any autoregressive model of discrete values).
 *
 * <p>A decoder knows only the values it has decoded, so the contract is exact: row i of
 * {@link #conditionalLogProbabilities} must depend on x only through the values at positions o(0)..o(i-1), bit for
 * bit, whatever the other values are, for batches of the same shape. Models meet it by construction when masked
 * weights are exactly zero and nothing normalizes across positions.
 */
@ConsumerType
public interface DiscreteConditionals extends Capability {
    /** The number of values each position takes: 2 for binary data, 256 for 8-bit pixels. */
    int levels();

    /**
     * The order o of the conditionals: a permutation of {@code 0..D-1} over the positions of an example flattened
     * in row-major order (the identity for raster-order models).
     */
    int[] order();

    /**
     * {@code log p(x_{o(i)} = v | x_{o(<i)})} in nats for every example, step i and level v: float64
     * {@code [n, D, levels]}, allocated from x's allocator. x is {@code [n, sampleShape...]} holding the integers
     * {@code 0..levels-1} (0/1 for binary data) in any dtype.
     */
    Tensor conditionalLogProbabilities(Tensor x);
}
