package org.genbench.api;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.DType;
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
 * bit, whatever the other values are, for batches of the same shape; and a {@link Decoder}'s step i must give the
 * same numbers bit for bit. Models meet it by construction when masked weights are exactly zero and nothing
 * normalizes across positions.
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

    /**
     * Step-by-step conditionals for a decoder of {@code n} examples of {@code shape} (the sample shape): the values
     * become known one step at a time. The default recomputes {@link #conditionalLogProbabilities} on a canvas that
     * holds the values known so far and zeros elsewhere (D passes of the model); models with state worth carrying
     * from step to step override it.
     */
    default Decoder decoder(int n, long[] shape, BufferAllocator allocator) {
        return new Decoder() {
            private final int d = Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact));
            private final int[] o = order();
            private final Tensor canvas = canvas(allocator, n, shape);
            private int step;

            @Override
            public double[] next() {
                if (step >= d) {
                    throw new IllegalStateException("all " + d + " steps are decoded");
                }
                int k = levels();
                double[] out = new double[n * k];
                try (Tensor lp = conditionalLogProbabilities(canvas)) {
                    for (int i = 0; i < n; i++) {
                        for (int v = 0; v < k; v++) {
                            out[i * k + v] = lp.getDouble(((long) i * d + step) * k + v);
                        }
                    }
                }
                return out;
            }

            @Override
            public void set(int[] values) {
                for (int i = 0; i < n; i++) {
                    canvas.setDouble((long) i * d + o[step], values[i]);
                }
                step++;
            }

            @Override
            public void close() {
                canvas.close();
            }
        };
    }

    private static Tensor canvas(BufferAllocator allocator, int n, long[] shape) {
        long[] full = new long[shape.length + 1];
        full[0] = n;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return Tensor.allocate(allocator, DType.FLOAT32, full);
    }

    /** Conditionals one step at a time, as a decoder learns the values. */
    @ConsumerType
    interface Decoder extends AutoCloseable {
        /**
         * The log-probabilities of the next step (i, in the model's order) for every example, {@code [n * levels]}
         * row-major, given the values set so far: bit for bit row i of {@link #conditionalLogProbabilities}.
         */
        double[] next();

        /** The values of step i for every example (each in {@code 0..levels-1}); moves on to step i + 1. */
        void set(int[] values);

        @Override
        void close();
    }
}
