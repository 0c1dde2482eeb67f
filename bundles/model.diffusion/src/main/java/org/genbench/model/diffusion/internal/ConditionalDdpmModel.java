package org.genbench.model.diffusion.internal;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;
import org.genbench.diffusion.Samples;
import org.genbench.nn.DType;

/**
 * A class-conditional DDPM. Its own conditional sampling (what the run's per-class picture shows) is DDIM with
 * {@code sampleSteps} steps and eta 0 at guidance weight {@code guidance}; samplers in the spec choose their own.
 */
final class ConditionalDdpmModel extends DdpmModel implements Conditional {
    ConditionalDdpmModel(DdpmFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        super(config, data, rng, dtype);
    }

    @Override
    public int numClasses() {
        return data.numClasses();
    }

    @Override
    public Tensor sample(Tensor labels, Rng rng, BufferAllocator allocator) {
        int[] lab = Samples.labels(labels);
        for (int v : lab) {
            if (v < 0 || v >= numClasses()) {
                throw new IllegalArgumentException("label " + v + " is not a class in 0.." + (numClasses() - 1));
            }
        }
        return sampleDdim(lab, config.guidance(), rng, allocator);
    }
}
