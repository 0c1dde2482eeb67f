package org.genbench.api;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.tensor.Tensor;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * p(x) as a product of one-dimensional conditionals in an order the model chooses (MADE, PixelCNN), drawn one
 * position at a time. An autoregressive sampler drives the generation: it starts a {@link Generation} of n samples
 * and advances all of them together, position by position, so that it can report progress and stop; the model keeps
 * between positions whatever it can reuse (a first layer's pre-activations, the rows that no longer change).
 */
@ConsumerType
public interface Autoregressive extends Capability {
    /** Generation steps per example: one per value (pixels times channels). */
    int positions();

    /**
     * Starts {@code n} samples from an empty canvas; {@code rng} supplies what is chosen once per sample (an
     * ensemble member and its order). Close the generation when done.
     */
    Generation generate(int n, Rng rng);

    /** n samples being drawn. */
    @ConsumerType
    interface Generation extends AutoCloseable {
        /** Positions drawn so far, 0..{@link #positions()}. */
        int drawn();

        /** Draws the next position of every sample from its conditional given the positions before it. */
        void next(Rng rng);

        /**
         * The samples once every position is drawn, {@code [n, sampleShape...]} in the data's units (0..255 for
         * 8-bit data, 0/1 for binary), from {@code allocator}; fails before.
         */
        Tensor samples(BufferAllocator allocator);

        @Override
        void close();
    }
}
