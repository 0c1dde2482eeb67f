package org.genbench.model.gan.internal;

import org.apache.arrow.memory.BufferAllocator;
import org.genbench.api.Conditional;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.tensor.Tensor;

/** A GAN whose generator and discriminator both see the class label (cGAN). */
final class ConditionalGanModel extends GanModel implements Conditional {
    ConditionalGanModel(GanFamily.Config config, DataInfo data, Rng rng) {
        super(config, data, rng);
    }

    ConditionalGanModel(GanFamily.Config config, DataInfo data, Rng rng, org.genbench.nn.DType dtype) {
        super(config, data, rng, dtype);
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public Tensor sample(Tensor labels, Rng rng, BufferAllocator allocator) {
        if (labels.rank() != 1) {
            throw new IllegalArgumentException("labels must be a tensor of rank 1, was " + labels);
        }
        int n = Math.toIntExact(labels.size());
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = checkLabel(labels.getDouble(i));
        }
        return generate(n, y, rng, allocator);
    }
}
