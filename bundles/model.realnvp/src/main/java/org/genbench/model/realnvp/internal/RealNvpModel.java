package org.genbench.model.realnvp.internal;

import java.util.Arrays;
import org.genbench.api.DataInfo;
import org.genbench.api.Rng;
import org.genbench.api.Score;
import org.genbench.api.tensor.Tensor;
import org.genbench.density.DensityModel;
import org.genbench.density.ModelSpace;
import org.genbench.nn.DType;
import org.genbench.nn.NdArray;

/** A RealNVP flow on the data's model space (see {@link RealNvpFlow}). */
final class RealNvpModel extends DensityModel implements Score {
    private final RealNvpFlow flow;

    RealNvpFlow flow() {
        return flow;
    }

    RealNvpModel(RealNvpFamily.Config config, DataInfo data, Rng rng, DType dtype) {
        super(RealNvpFamily.NAME, config, data, ModelSpace.continuous(data, RealNvpFamily.NAME), dtype);
        long[] shape = data.sampleShape();
        if (config.resolvedCoupling(shape).equals("resnet")) {
            if (shape.length != 3) {
                throw new IllegalArgumentException("realnvp's resnet couplings need images [c, h, w]; dataset '"
                        + data.name() + "' has shape " + Arrays.toString(shape) + " (use coupling 'mlp')");
            }
            long factor = 1L << (config.scales() - 1);
            if (shape[1] % factor != 0 || shape[2] % factor != 0) {
                throw new IllegalArgumentException("scales must leave height and width divisible by 2^(scales - 1) = "
                        + factor + "; dataset '" + data.name() + "' is " + shape[1] + "x" + shape[2] + ", so scales <= "
                        + (1 + Math.min(Long.numberOfTrailingZeros(shape[1]), Long.numberOfTrailingZeros(shape[2]))));
            }
        } else if (dimension < 2) {
            throw new IllegalArgumentException("realnvp's couplings need at least 2 values per example; dataset '"
                    + data.name() + "' has " + dimension);
        }
        this.flow = new RealNvpFlow(config, shape, dtype, rng);
        network(flow);
    }

    @Override
    protected NdArray logProb(NdArray y, Rng rng) {
        return flow.logProb(y);
    }

    @Override
    protected NdArray sampleModel(int n, Rng rng) {
        return flow.sample(n, rng, dtype);
    }

    @Override
    public Tensor score(Tensor x) {
        return scoreOf(x);
    }
}
